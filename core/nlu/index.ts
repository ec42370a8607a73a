// PLACEHOLDER: replaced by the real classifier (issue 5). Keeps the public signature.
import type { Understanding, UnderstandContext } from './types.ts';
export * from './types.ts';

const normalise = (text: string) =>
  text.toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/\s+/g, ' ').trim();

/** Reads free text and says what the person wants. Pure: no I/O, no clock. */
export function understand(text: string, _context: UnderstandContext): Understanding {
  const t = normalise(text);
  if (/\b(112|118|soffoc|non respira|dolore al petto|fuoco|incendio|fumo|gas)\b/.test(t)) return { intent: 'emergency', confidence: 0.9 };
  if (/\b(operatore|persona vera|parlare con qualcuno|operator|human)\b/.test(t)) return { intent: 'talk_to_operator', confidence: 0.9 };
  if (/^(buon ?giorno|buona ?sera|ciao|salve|hello|hi|good morning)\b/.test(t)) return { intent: 'greeting', confidence: 0.9 };
  if (/\bore\b.*\b(resta|rimast|ancora)|voucher/.test(t)) return { intent: 'voucher_balance', confidence: 0.7 };
  if (/spesa|shopping/.test(t)) return { intent: 'request_help', family: '8', code: '8A', confidence: 0.7 };
  return { intent: 'unknown', confidence: 0 };
}
