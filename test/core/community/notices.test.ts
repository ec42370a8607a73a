import { describe, expect, it } from 'vitest';
import { countSegments } from '../../../core/channels/gsm.ts';
import { createI18n } from '../../../locales/index.ts';

describe('community notices to the person', () => {
  it('fit two GSM-7 SMS segments with a long resource name, in both languages', async () => {
    const i18n = await createI18n();
    const params = { reference: 'R-01234', resource: 'Associazione Volontari Amici di Cassinetta di Lugagnano', date: 'mercoledì 30 settembre', time: '10:00' };
    for (const lng of ['it', 'en']) {
      for (const key of ['community:notice.assigned', 'community:notice.scheduled', 'community:notice.released']) {
        const text = i18n.t(key, { ...params, lng });
        expect(text, key).not.toMatch(/\{\{/);
        const segments = countSegments(text);
        expect(segments.encoding, `${lng} ${key}`).toBe('GSM-7');
        expect(segments.segments, `${lng} ${key}`).toBeLessThanOrEqual(2);
      }
    }
  });
});
