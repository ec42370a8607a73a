import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config.ts';

const root = '/srv/centrale';

describe('configuration', () => {
  it('defaults to PGlite in data/pglite, port 3000, demo data on, Telegram and SMS off', () => {
    const c = loadConfig({}, root);
    expect(c).toMatchObject({
      port: 3000,
      database: { kind: 'pglite', dataDir: '/srv/centrale/data/pglite' },
      demoData: true,
      telegram: { enabled: false },
      sms: { provider: 'off' },
      publicUrl: 'http://localhost:3000',
      secureCookies: false,
    });
  });

  it('uses ephemeral PGlite for memory:// and PostgreSQL for postgres:// URLs (demo data off)', () => {
    expect(loadConfig({ DATABASE_URL: 'memory://' }, root).database).toEqual({ kind: 'pglite', dataDir: undefined });
    const pg = loadConfig({ DATABASE_URL: 'postgres://u@db/centrale', SESSION_SECRET: 's'.repeat(32) }, root);
    expect(pg.database).toEqual({ kind: 'postgres', url: 'postgres://u@db/centrale' });
    expect(pg.demoData).toBe(false);
  });

  it('fails fast with one readable line per wrong variable', () => {
    try {
      loadConfig({ PORT: 'abc', DATABASE_URL: 'mysql://x', SMS_PROVIDER: 'carrier-pigeon' }, root);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const message = (err as ConfigError).message;
      expect(message).toMatch(/PORT:/);
      expect(message).toMatch(/DATABASE_URL: must be empty/);
      expect(message).toMatch(/SMS_PROVIDER:/);
    }
  });

  it('requires SESSION_SECRET with PostgreSQL, and webhook settings with TELEGRAM_MODE=webhook', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres://x/y' }, root)).toThrow(/SESSION_SECRET: required/);
    expect(() => loadConfig({ TELEGRAM_BOT_TOKEN: '1:abc', TELEGRAM_MODE: 'webhook' }, root)).toThrow(/TELEGRAM_WEBHOOK_SECRET: required[\s\S]*PUBLIC_URL: required/);
    expect(() => loadConfig({ SMS_PROVIDER: 'twilio' }, root)).toThrow(/TWILIO_ACCOUNT_SID: required/);
  });

  it('marks cookies Secure behind an https PUBLIC_URL and honours DEMO_DATA', () => {
    const c = loadConfig({ PUBLIC_URL: 'https://centrale.example.it/', DEMO_DATA: 'off' }, root);
    expect(c.secureCookies).toBe(true);
    expect(c.publicUrl).toBe('https://centrale.example.it');
    expect(c.demoData).toBe(false);
  });
});
