/**
 * What a Telegram update means to centrale, pure: the Bot API JSON in, one channel-neutral input
 * out. Updates of kinds centrale ignores (edits, channel posts, member changes) give `ignored`.
 */

export type TelegramInput =
  | { kind: 'ignored' }
  | { kind: 'start'; code?: string }
  | { kind: 'text'; text: string }
  | { kind: 'option'; optionId: string; callbackQueryId: string }
  | { kind: 'contact'; phone: string; contactUserId: number | undefined }
  | { kind: 'media'; mediaType: 'voice' | 'photo'; fileId: string; mimeType: string; caption?: string };

export interface TelegramUpdateView {
  updateId: number;
  /** The private chat: conversations are per chat. */
  chatId: string | undefined;
  fromId: number | undefined;
  languageCode: string | undefined;
  input: TelegramInput;
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isSafeInteger(v) ? v : undefined);

/** Link codes are short and typed by hand: letters and digits only. */
const START = /^\/start(?:@\w+)?(?:\s+([A-Za-z0-9_-]{1,64}))?\s*$/;

export function parseTelegramUpdate(update: unknown): TelegramUpdateView | undefined {
  const u = obj(update);
  const updateId = num(u?.update_id);
  if (!u || updateId === undefined) return undefined;
  const view = (chat: Json | undefined, from: Json | undefined, input: TelegramInput): TelegramUpdateView => {
    // Only private chats: a bot added to a group must not treat the group as one person.
    const privateChat = str(chat?.type) === 'private';
    const chatId = num(chat?.id);
    return {
      updateId,
      chatId: privateChat && chatId !== undefined ? String(chatId) : undefined,
      fromId: num(from?.id),
      languageCode: str(from?.language_code),
      input: privateChat ? input : { kind: 'ignored' },
    };
  };

  const callback = obj(u.callback_query);
  if (callback) {
    const message = obj(callback.message);
    const data = str(callback.data);
    const id = str(callback.id) ?? '';
    return view(obj(message?.chat), obj(callback.from), data ? { kind: 'option', optionId: data, callbackQueryId: id } : { kind: 'ignored' });
  }

  const message = obj(u.message);
  if (!message) return { updateId, chatId: undefined, fromId: undefined, languageCode: undefined, input: { kind: 'ignored' } };
  const chat = obj(message.chat);
  const from = obj(message.from);
  const text = str(message.text);
  if (text !== undefined) {
    const start = START.exec(text.trim());
    if (start) return view(chat, from, start[1] ? { kind: 'start', code: start[1] } : { kind: 'start' });
    return view(chat, from, { kind: 'text', text });
  }
  const contact = obj(message.contact);
  if (contact && str(contact.phone_number)) {
    return view(chat, from, { kind: 'contact', phone: str(contact.phone_number)!, contactUserId: num(contact.user_id) });
  }
  const voice = obj(message.voice);
  if (voice && str(voice.file_id)) {
    return view(chat, from, { kind: 'media', mediaType: 'voice', fileId: str(voice.file_id)!, mimeType: str(voice.mime_type) ?? 'audio/ogg' });
  }
  const photos = Array.isArray(message.photo) ? (message.photo as unknown[]).map(obj).filter((p): p is Json => !!p && !!str(p.file_id)) : [];
  if (photos.length > 0) {
    // The largest size is the last one.
    const caption = str(message.caption);
    return view(chat, from, { kind: 'media', mediaType: 'photo', fileId: str(photos.at(-1)!.file_id)!, mimeType: 'image/jpeg', ...(caption ? { caption } : {}) });
  }
  return view(chat, from, { kind: 'ignored' });
}
