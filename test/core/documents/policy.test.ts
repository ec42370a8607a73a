import { describe, expect, it } from 'vitest';
import { DomainError } from '../../../core/errors.ts';
import {
  allowedLabels,
  attachmentDisposition,
  checkDocument,
  DOCUMENT_RULES,
  DOCUMENT_TYPES,
  formatFromDetected,
  MAX_DOCUMENT_BYTES,
  MIB,
  safeFilename,
} from '../../../core/documents/policy.ts';
import { DOCUMENT_TYPES as SCHEMA_DOCUMENT_TYPES } from '../../../db/schema.ts';

function refusal(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (err) {
    if (err instanceof DomainError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('document policy', () => {
  it('knows the same document types as the schema, each with a rule', () => {
    expect([...DOCUMENT_TYPES]).toEqual([...SCHEMA_DOCUMENT_TYPES]);
    for (const type of DOCUMENT_TYPES) expect(DOCUMENT_RULES[type].formats.length).toBeGreaterThan(0);
    expect(MAX_DOCUMENT_BYTES).toBe(10 * MIB);
  });

  it('accepts a file exactly at the limit and refuses one byte more with PAYLOAD_TOO_LARGE', () => {
    expect(checkDocument({ type: 'voice', sizeBytes: 5 * MIB, format: 'opus' }).mediaType).toBe('audio/ogg');
    const err = refusal(() => checkDocument({ type: 'voice', sizeBytes: 5 * MIB + 1, format: 'opus' }));
    expect(err.code).toBe('PAYLOAD_TOO_LARGE');
    expect(err.messageRef).toEqual({ key: 'people:documents.tooLarge', params: { maxMiB: 5 } });
    expect(checkDocument({ type: 'isee', sizeBytes: 10 * MIB, format: 'pdf' }).mediaType).toBe('application/pdf');
    expect(refusal(() => checkDocument({ type: 'isee', sizeBytes: 10 * MIB + 1, format: 'pdf' })).code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('refuses an empty file as invalid input', () => {
    const err = refusal(() => checkDocument({ type: 'photo', sizeBytes: 0, format: 'jpeg' }));
    expect(err.code).toBe('VALIDATION_FAILED');
    expect(Object.keys(err.fields ?? {})).toEqual(['file']);
  });

  it('refuses formats the type does not accept, and unknown content', () => {
    expect(refusal(() => checkDocument({ type: 'voice', sizeBytes: 10, format: 'pdf' })).code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(refusal(() => checkDocument({ type: 'photo', sizeBytes: 10, format: 'pdf' })).code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(refusal(() => checkDocument({ type: 'isee', sizeBytes: 10, format: null })).code).toBe('UNSUPPORTED_MEDIA_TYPE');
    // HTML only for the written answer centrale generates.
    expect(refusal(() => checkDocument({ type: 'other', sizeBytes: 10, format: 'html' })).code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(checkDocument({ type: 'written_answer', sizeBytes: 10, format: 'html' }).mediaType).toBe('text/html');
    expect(allowedLabels('voice')).toBe('OGG/Opus, OGG, MP3, M4A');
  });

  it('refuses a declared media type that contradicts the content, accepts generic or matching ones', () => {
    const mismatch = refusal(() => checkDocument({ type: 'photo', sizeBytes: 10, format: 'png', declaredMediaType: 'image/jpeg' }));
    expect(mismatch.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(mismatch.messageRef.key).toBe('people:documents.mismatch');
    for (const declared of [undefined, null, '', 'application/octet-stream', 'IMAGE/PNG', 'image/png; charset=binary']) {
      expect(checkDocument({ type: 'photo', sizeBytes: 10, format: 'png', declaredMediaType: declared }).mediaType).toBe('image/png');
    }
    expect(checkDocument({ type: 'voice', sizeBytes: 10, format: 'opus', declaredMediaType: 'audio/ogg; codecs=opus' }).extension).toBe('ogg');
    expect(checkDocument({ type: 'voice', sizeBytes: 10, format: 'm4a', declaredMediaType: 'audio/x-m4a' }).mediaType).toBe('audio/mp4');
  });

  it('maps what the sniffer found to our formats, and recognises HTML by its opening', () => {
    expect(formatFromDetected({ ext: 'jpg', mime: 'image/jpeg' }, new Uint8Array())).toBe('jpeg');
    expect(formatFromDetected({ ext: 'opus', mime: 'audio/ogg; codecs=opus' }, new Uint8Array())).toBe('opus');
    expect(formatFromDetected({ ext: 'exe', mime: 'application/x-msdownload' }, new Uint8Array())).toBeNull();
    expect(formatFromDetected(undefined, new TextEncoder().encode('\uFEFF  <!DOCTYPE html><html lang="it">'))).toBe('html');
    expect(formatFromDetected(undefined, new TextEncoder().encode('hello'))).toBeNull();
  });

  it('makes download names that cannot escape a folder or break a header', () => {
    expect(safeFilename('../../etc/pass"wd.pdf', 'pdf')).toBe('pass_wd.pdf');
    expect(safeFilename('C:\\Users\\maria\\ISEE 2026.PDF', 'pdf')).toBe('ISEE 2026.pdf');
    expect(safeFilename('virus.exe', 'pdf')).toBe('virus.pdf');
    expect(safeFilename('certificato\r\nSet-Cookie: x', 'pdf')).toBe('certificato_Set-Cookie_ x.pdf');
    expect(safeFilename(null, 'jpg', 'photo-1')).toBe('photo-1.jpg');
    expect(safeFilename('...', 'jpg')).toBe('documento.jpg');
    expect([...safeFilename('a'.repeat(300), 'pdf')].length).toBe(84);
    expect(safeFilename('Attestazione ISEE – Rossi è.pdf', 'pdf')).toBe('Attestazione ISEE _ Rossi è.pdf');
  });

  it('writes an RFC 6266 attachment header with an ASCII fallback', () => {
    const header = attachmentDisposition('Attestazione è.pdf');
    expect(header).toBe(`attachment; filename="Attestazione e.pdf"; filename*=UTF-8''Attestazione%20%C3%A8.pdf`);
    expect(header).not.toMatch(/[\r\n]/);
  });
});
