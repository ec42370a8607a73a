/**
 * The Telegram adapter (telegraf's API client) onto the channel-neutral engine.
 *
 * - Inbound: every update is stored first (`channel_inbound`, unique on update_id), then handled
 *   from the store. Polling stores a batch before advancing the offset (we call getUpdates
 *   ourselves: telegraf's own launch() advances the offset before handling); webhook mode is
 *   stored by api/routes/telegram.ts. Handling is woken by NOTIFY and backed by a recovery sweep,
 *   so a crash between storing and handling loses nothing and a redelivery does nothing twice.
 * - Outbound: a `ChannelSender` for the durable queue (db/outbound.ts): inline keyboards with one
 *   large button per option; 403 (bot blocked) → unreachable; 429 → retry after `retry_after`.
 * - Only one instance polls (a lease in `channel_leases`); several instances use webhook mode.
 */
import { randomUUID } from 'node:crypto';
import { Telegraf, TelegramError } from 'telegraf';
import type { TelegramConfig } from '../config.ts';
import { splitTelegramText, telegramKeyboard } from '../core/channels/render.ts';
import { parseTelegramUpdate } from '../core/channels/telegram-update.ts';
import {
  acquireLease,
  handleChannelInput,
  INBOX_CHANNEL,
  instanceTagOf,
  loadInbound,
  markInboundFailed,
  markInboundProcessed,
  pendingInbound,
  loadInboundMany,
  pendingOfChatUpTo,
  releaseLease,
  storeInbound,
  type ChannelContext,
  type ChannelInput,
  type InboundRow,
} from '../db/channel-inbox.ts';
import { handleTelegramBatch, type BatchUpdate } from '../db/channel-batch.ts';
import type { ChannelSender, SendResult } from '../db/outbound.ts';
import type { Logger } from '../logger.ts';

export const POLLING_LEASE = 'telegram_polling';
/** Voice notes and photos larger than this are not downloaded (staff are told by the handover). */
const MAX_MEDIA_BYTES = 10 * 1024 * 1024;

export interface TelegramChannelOptions {
  /** Long-poll timeout of getUpdates, seconds (25 in production; small in tests). */
  pollTimeoutSeconds?: number;
  /** Recovery sweep: interval and how old an unhandled update must be before the sweep takes it. */
  sweepMs?: number;
  sweepGraceMs?: number;
  leaseMs?: number;
  /**
   * "typing…" is shown only when a turn takes longer than this (Telegram recommends the chat
   * action only for replies that take noticeable time; most turns answer well before). Default 1000.
   */
  typingAfterMs?: number;
  /**
   * Updates handled at the same time (each holds a pooled connection for its transaction). Kept
   * below the pool size so that webhooks storing new updates never queue behind handling. Default 4.
   */
  handlerConcurrency?: number;
  /** Most updates of different chats handled together in one batch (db/channel-batch.ts). Default 50. */
  batchSize?: number;
  /**
   * An update stored by another instance is that instance's to handle: this one takes it only
   * if it is still waiting this long after its NOTIFY (the other may have stopped). Default 2000.
   */
  foreignDelayMs?: number;
  /**
   * A batch still running after this long (a statement waiting on a lock, a stalled connection)
   * no longer holds back the next releases: its chats wait for it, the other chats go on. Default 10000.
   */
  batchWaitMs?: number;
}

export interface TelegramChannel {
  sender: ChannelSender;
  /** Handles one stored update (the sweep and the NOTIFY listener call this). */
  processStored(id: number): Promise<void>;
  /** Handles every unhandled update older than the grace period. */
  sweep(graceMs?: number): Promise<number>;
  /** One round of polling: getUpdates, store, handle. Returns the number of updates. */
  pollOnce(signal?: AbortSignal): Promise<number>;
  start(): Promise<void>;
  stop(): Promise<void>;
  readonly polling: boolean;
}

function classify(err: unknown): SendResult {
  if (err instanceof TelegramError) {
    if (err.code === 403) return { ok: false, kind: 'unreachable', code: 'telegram_403' };
    if (err.code === 429) {
      const after = err.parameters?.retry_after ?? 1;
      return { ok: false, kind: 'retry', code: 'telegram_429', retryAfterMs: after * 1000 };
    }
    if (err.code === 400 && /chat not found|user is deactivated/i.test(err.description)) return { ok: false, kind: 'unreachable', code: 'telegram_400_chat' };
    if (err.code >= 500) return { ok: false, kind: 'retry', code: `telegram_${err.code}` };
    return { ok: false, kind: 'failed', code: `telegram_${err.code}` };
  }
  return { ok: false, kind: 'retry', code: 'network' };
}

export function createTelegramChannel(
  config: Extract<TelegramConfig, { enabled: true }>,
  ctx: ChannelContext & { logger: Logger; publicUrl: string },
  options: TelegramChannelOptions = {},
): TelegramChannel {
  const bot = new Telegraf(config.token, { telegram: { apiRoot: config.apiRoot, webhookReply: false } });
  const telegram = bot.telegram;
  const db = ctx.database.db;
  const holder = randomUUID();
  const pollTimeout = options.pollTimeoutSeconds ?? 25;
  const sweepMs = options.sweepMs ?? 5000;
  const sweepGraceMs = options.sweepGraceMs ?? 10_000;
  const leaseMs = options.leaseMs ?? 60_000;
  const typingAfterMs = options.typingAfterMs ?? 1000;
  const handlerConcurrency = Math.max(1, options.handlerConcurrency ?? 4);
  const batchSize = Math.max(1, options.batchSize ?? 50);
  const foreignDelayMs = Math.max(0, options.foreignDelayMs ?? 2000);
  const batchWaitMs = Math.max(1, options.batchWaitMs ?? 10_000);
  const here = instanceTagOf(db);
  let handling = 0;
  const waitingForSlot: (() => void)[] = [];
  async function inSlot<T>(fn: () => Promise<T>): Promise<T> {
    while (handling >= handlerConcurrency) await new Promise<void>((resolve) => waitingForSlot.push(resolve));
    handling += 1;
    try {
      return await fn();
    } finally {
      handling -= 1;
      waitingForSlot.shift()?.();
    }
  }
  let stopped = true;
  let polling = false;
  let pollLoop: Promise<void> | undefined;
  let abort: AbortController | undefined;
  let sweepTimer: NodeJS.Timeout | undefined;
  let unlisten: (() => Promise<void>) | undefined;
  const inFlight = new Map<number, Promise<void>>();

  const sender: ChannelSender = {
    channel: 'telegram',
    async send(item) {
      const parts = splitTelegramText(item.body);
      const keyboard = telegramKeyboard(item.options);
      try {
        let last: { message_id: number } | undefined;
        for (const [i, part] of parts.entries()) {
          last = await telegram.sendMessage(item.address, part, i === parts.length - 1 && keyboard ? { reply_markup: keyboard } : {});
        }
        return { ok: true, ...(last ? { providerId: String(last.message_id) } : {}) };
      } catch (err) {
        return classify(err);
      }
    },
  };

  async function download(fileId: string): Promise<Buffer | undefined> {
    const link = await telegram.getFileLink(fileId);
    const res = await fetch(link, { signal: AbortSignal.timeout(30_000) });
    if (!res.ok) throw Object.assign(new Error('media download failed'), { code: `http_${res.status}` });
    const content = Buffer.from(await res.arrayBuffer());
    return content.length <= MAX_MEDIA_BYTES ? content : undefined;
  }

  async function handle(row: InboundRow): Promise<void> {
    const update = parseTelegramUpdate(row.payload);
    if (!update || !update.chatId || update.input.kind === 'ignored') {
      await markInboundProcessed(db, row.id, ctx.now());
      return;
    }
    const chatId = update.chatId;
    const input = update.input;
    // Best effort: neither the typing indicator nor the callback answer may block handling.
    const showTyping = () => void telegram.sendChatAction(chatId, 'typing').catch(() => undefined);
    const typing = typingAfterMs > 0 ? setTimeout(showTyping, typingAfterMs) : (showTyping(), undefined);
    if (input.kind === 'option') void telegram.answerCbQuery(input.callbackQueryId).catch(() => undefined);
    try {
      let event: ChannelInput;
      switch (input.kind) {
        case 'start':
          event = input.code ? { kind: 'start', code: input.code } : { kind: 'start' };
          break;
        case 'text':
          event = { kind: 'text', text: input.text };
          break;
        case 'option':
          event = { kind: 'option', optionId: input.optionId };
          break;
        case 'contact':
          // Only the sender's own contact card may link (anyone can share someone else's).
          event = { kind: 'contact', phone: input.phone, ownContact: input.contactUserId !== undefined && input.contactUserId === update.fromId };
          break;
        case 'media': {
          const content = await download(input.fileId);
          event = content
            ? { kind: 'media', mediaType: input.mediaType, content, mimeType: input.mimeType, ...(input.caption ? { caption: input.caption } : {}) }
            : { kind: 'text', text: input.caption ?? '' };
          break;
        }
      }
      // Marks the raw update handled in the turn's own transaction.
      await handleChannelInput(ctx, {
        channel: 'telegram',
        address: chatId,
        locale: update.languageCode?.startsWith('en') ? 'en' : 'it',
        externalId: row.externalId,
        event,
        inboundRowId: row.id,
      });
    } finally {
      clearTimeout(typing);
    }
  }

  /**
   * One handler per row at a time in this instance, and one row per chat at a time (queued after
   * the chat's earlier ones), so a chat's updates reach the engine in the order they are run.
   * Across instances every step is idempotent.
   */
  const chatTails = new Map<string, Promise<void>>();
  function run(row: InboundRow): Promise<void> {
    const existing = inFlight.get(row.id);
    if (existing) return existing;
    const chat = chatOf(row);
    return track(row, chat, (chatTails.get(chat) ?? Promise.resolve()).then(() => inSlot(() => handleInOrder(row, chat))));
  }

  /** Registers a row's handling as in flight and as its chat's tail, until it settles. */
  function track(row: InboundRow, chat: string, work: Promise<unknown>): Promise<void> {
    const p: Promise<void> = work
      .then(() => undefined)
      .catch((err) => ctx.logger.warn({ inboundId: row.id, err }, 'telegram update not handled; left for the sweep'))
      .finally(() => {
        inFlight.delete(row.id);
        if (chatTails.get(chat) === p) chatTails.delete(chat);
      });
    inFlight.set(row.id, p);
    chatTails.set(chat, p);
    return p;
  }

  /** Telegram's order is update_id; rows were committed in arrival order, which may differ. */
  const byUpdateId = (a: InboundRow, b: InboundRow) => Number(a.externalId) - Number(b.externalId) || a.id - b.id;
  const chatOf = (row: Pick<InboundRow, 'id' | 'payload'>) => parseTelegramUpdate(row.payload)?.chatId ?? `row:${row.id}`;

  async function attempt(row: InboundRow): Promise<void> {
    try {
      await handle(row);
    } catch (err) {
      ctx.logger.error({ inboundId: row.id, err }, 'telegram update handling failed; left for the sweep');
      await markInboundFailed(db, row.id, err).catch(() => undefined);
    }
  }

  /** Handles the row unless done meanwhile, after any earlier update of its chat stored since. */
  async function handleInOrder(row: InboundRow, chat: string): Promise<void> {
    const updateId = Number(row.externalId);
    if (chat.startsWith('row:') || !Number.isSafeInteger(updateId)) {
      const fresh = await loadInbound(db, row.id);
      if (fresh && !fresh.processed) await attempt(fresh);
      return;
    }
    const { row: fresh, earlier } = await pendingOfChatUpTo(db, row.id, chat, updateId);
    if (!fresh) return;
    for (const e of earlier.sort(byUpdateId)) await attempt(e);
    await attempt(fresh);
  }

  // Webhooks of one chat may arrive concurrently and commit out of order: an update is run only
  // once REORDER_DELAY_MS have passed since its NOTIFY, so that an earlier update of its chat still
  // being stored has committed by then (the batch sees it and the chat goes one by one, in
  // update_id order), and each release runs sorted by update_id. An elderly reader does not notice
  // the delay. One release is handled at a time: what becomes due meanwhile waits for the next one,
  // so under load the releases grow and more turns share each batch; a release starts as soon as
  // the previous one is done. (Until 2026-11-23 a release waited for a quiet 100 ms, which under
  // steady traffic never came: releases went once a second, the turns in one-second pulses, and
  // every waiting update's objects lived long enough to be promoted to the old heap.)
  const REORDER_DELAY_MS = 100;
  /** A release waits this much longer, so that updates announced together are released together. */
  const REORDER_GATHER_MS = 10;
  /** NOTIFYed row ids, in announce order, with when each was announced. */
  const announced = new Map<number, number>();
  let reorderTimer: NodeJS.Timeout | undefined;
  let releasing: Promise<void> | undefined;
  function release(): void {
    reorderTimer = undefined;
    if (releasing || announced.size === 0 || stopped) return;
    const dueBefore = Date.now() - REORDER_DELAY_MS;
    const ids: number[] = [];
    // Announce order is time order: the due ones come first.
    for (const [id, at] of announced) {
      if (at > dueBefore) break;
      ids.push(id);
      announced.delete(id);
    }
    if (ids.length === 0) return armReorderTimer();
    releasing = releaseRows(ids)
      .catch((err) => ctx.logger.warn({ err }, 'telegram notified updates not handled; left for the sweep'))
      .finally(() => {
        releasing = undefined;
        armReorderTimer();
      });
  }

  async function releaseRows(ids: number[]): Promise<void> {
    const rows = await loadInboundMany(db, ids);
    const due = rows.filter((r): r is NonNullable<typeof r> => !!r && !r.processed && r.channel === 'telegram').sort(byUpdateId);
    const { chats, single } = planRelease(due);
    for (const row of single) void run(row);
    // Round n batches the n-th update of every chat still on the fast path: a chat's next update
    // joins a batch only once a batch has handled the one before it.
    const later = chats.flatMap((chat) => chat.rest);
    const next = chats.map(() => 0);
    while (!stopped) {
      const round = chats.flatMap((chat, c) => (next[c]! < chat.items.length ? [{ c, item: chat.items[next[c]!]! }] : []));
      if (round.length === 0) break;
      const batches: BatchItem[][] = [];
      for (let i = 0; i < round.length; i += batchSize) batches.push(round.slice(i, i + batchSize).map((r) => r.item));
      // A batch that outlasts batchWaitMs counts as having handled nothing: its rows stay its
      // own (tracked by runBatch), and its chats' later updates queue behind it, one by one.
      const handled = new Set((await Promise.all(batches.map((items) => atMost(runBatch(items), items.length)))).flatMap((set) => [...set]));
      for (const { c, item } of round) {
        const items = chats[c]!.items;
        if (handled.has(item.row.id)) next[c]! += 1;
        else {
          // runBatch takes this one one by one; the chat's later updates queue behind it.
          later.push(...items.slice(next[c]! + 1).map((it) => it.row));
          next[c] = items.length;
        }
      }
    }
    // After stop() the sweep of the next start (here or on another instance) takes what is left.
    if (!stopped) for (const row of later.sort(byUpdateId)) void run(row);
  }

  /** The batch's outcome, or an empty set if it is still running after batchWaitMs. */
  function atMost(batch: Promise<Set<number>>, updates: number): Promise<Set<number>> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<Set<number>>((resolve) => {
      timer = setTimeout(() => {
        ctx.logger.warn({ updates, waitedMs: batchWaitMs }, 'telegram batch still running; the next releases go on without it');
        resolve(new Set());
      }, batchWaitMs);
    });
    return Promise.race([batch, late]).finally(() => clearTimeout(timer));
  }

  type BatchItem = { row: InboundRow; update: BatchUpdate; callbackQueryId?: string };

  /** A row the batch can take: an ordinary input (text, a chosen option, /start without a code), never attempted before. */
  function batchItemOf(row: InboundRow): BatchItem | undefined {
    const parsed = parseTelegramUpdate(row.payload);
    const input = parsed?.input;
    let batchInput: BatchUpdate['input'] | undefined;
    if (input?.kind === 'text') batchInput = { kind: 'text', text: input.text };
    else if (input?.kind === 'option') batchInput = { kind: 'option', optionId: input.optionId };
    else if (input?.kind === 'start' && !input.code) batchInput = { kind: 'start' };
    if (!parsed?.chatId || !batchInput || inFlight.has(row.id) || row.attempts > 0 || !Number.isSafeInteger(Number(row.externalId))) return undefined;
    return {
      row,
      update: { rowId: row.id, externalId: row.externalId, chatId: parsed.chatId, locale: parsed.languageCode?.startsWith('en') ? 'en' : 'it', input: batchInput },
      ...(input?.kind === 'option' ? { callbackQueryId: input.callbackQueryId } : {}),
    };
  }

  /**
   * Splits notified updates (sorted by update_id) by chat: a chat with nothing in flight here
   * offers its leading batchable updates to the batches (db/channel-batch.ts), and the rest
   * after them; a chat with something in flight goes one by one, in order, behind it.
   */
  function planRelease(due: InboundRow[]): { chats: { items: BatchItem[]; rest: InboundRow[] }[]; single: InboundRow[] } {
    const byChat = new Map<string, InboundRow[]>();
    for (const row of due) {
      const chat = chatOf(row);
      const rows = byChat.get(chat);
      if (rows) rows.push(row);
      else byChat.set(chat, [row]);
    }
    const chats: { items: BatchItem[]; rest: InboundRow[] }[] = [];
    const single: InboundRow[] = [];
    for (const [chat, rows] of byChat) {
      if (chat.startsWith('row:') || chatTails.has(chat)) {
        single.push(...rows);
        continue;
      }
      const items: BatchItem[] = [];
      for (const row of rows) {
        const item = batchItemOf(row);
        if (!item) break;
        items.push(item);
      }
      if (items.length === 0) single.push(...rows);
      else chats.push({ items, rest: rows.slice(items.length) });
    }
    return { chats, single };
  }

  /**
   * Handles a batch in one slot; what the batch leaves (or everything, if it fails) is then
   * handled one by one, in the same per-chat queue, so later updates of a chat still wait for it.
   * Resolves with the rows the batch handled.
   */
  function runBatch(items: BatchItem[]): Promise<Set<number>> {
    for (const item of items) if (item.callbackQueryId) void telegram.answerCbQuery(item.callbackQueryId).catch(() => undefined);
    const batch = inSlot(async () => {
      const typing = typingAfterMs > 0 ? setTimeout(() => items.forEach((it) => void telegram.sendChatAction(it.update.chatId, 'typing').catch(() => undefined)), typingAfterMs) : undefined;
      try {
        return await handleTelegramBatch(ctx, items.map((it) => it.update));
      } finally {
        clearTimeout(typing);
      }
    }).catch((err) => {
      ctx.logger.warn({ err, updates: items.length }, 'telegram batch not handled; taken one by one');
      return new Set<number>();
    });
    for (const { row } of items) {
      const chat = chatOf(row);
      void track(row, chat, batch.then((handled) => (handled.has(row.id) ? undefined : inSlot(() => handleInOrder(row, chat)))));
    }
    return batch;
  }
  /** Wakes release() when the oldest announced update is due (nothing to do while one runs). */
  function armReorderTimer(): void {
    if (reorderTimer || releasing || stopped) return;
    const oldest = announced.values().next();
    if (oldest.done) return;
    reorderTimer = setTimeout(release, Math.max(0, oldest.value + REORDER_DELAY_MS + REORDER_GATHER_MS - Date.now()));
  }
  function announce(id: number): void {
    // A second NOTIFY of the same row keeps its first time and place.
    if (!announced.has(id)) announced.set(id, Date.now());
    armReorderTimer();
  }

  // Every instance hears every NOTIFY. Each takes at once only what it stored itself, so that
  // several instances share the turns instead of all running every one (only one of them could
  // write it); another instance's update is announced here only after foreignDelayMs, when the
  // load of the release finds it already handled unless its own instance failed to.
  const foreign: { id: number; due: number }[] = [];
  let foreignTimer: NodeJS.Timeout | undefined;
  function announceForeign(id: number): void {
    foreign.push({ id, due: Date.now() + foreignDelayMs });
    if (!foreignTimer) armForeignTimer();
  }
  function armForeignTimer(): void {
    const head = foreign[0];
    foreignTimer = head && !stopped ? setTimeout(announceDueForeign, Math.max(0, head.due - Date.now())) : undefined;
    foreignTimer?.unref?.();
  }
  function announceDueForeign(): void {
    const now = Date.now();
    let due = 0;
    while (due < foreign.length && foreign[due]!.due <= now) announce(foreign[due++]!.id);
    foreign.splice(0, due);
    armForeignTimer();
  }

  async function processStored(id: number): Promise<void> {
    const row = await loadInbound(db, id);
    if (row && !row.processed && row.channel === 'telegram') await run(row);
  }

  async function sweep(graceMs = sweepGraceMs): Promise<number> {
    // No grace: every unhandled row, including one stored within the current millisecond.
    const rows = await pendingInbound(db, 'telegram', graceMs > 0 ? new Date(ctx.now().getTime() - graceMs) : undefined);
    for (const row of rows.sort(byUpdateId)) await run(row);
    return rows.length;
  }

  async function pollOnce(signal?: AbortSignal): Promise<number> {
    const last = await lastStoredUpdateId();
    const updates = (await telegram.callApi(
      'getUpdates',
      { offset: last === undefined ? undefined : last + 1, timeout: pollTimeout, allowed_updates: ['message', 'callback_query'] },
      (signal ? { signal } : undefined) as Parameters<typeof telegram.callApi>[2],
    )) as unknown as { update_id: number }[];
    // Store the whole batch first: the offset moves on only past stored updates.
    const ids: number[] = [];
    for (const u of updates) {
      const stored = await storeInbound(db, { channel: 'telegram', externalId: String(u.update_id), payload: u as unknown as Record<string, unknown> });
      if (!stored.processed) ids.push(stored.id);
      highest = Math.max(highest ?? -1, u.update_id);
    }
    for (const id of ids) await processStored(id);
    return updates.length;
  }

  // The offset: the highest update_id stored by this process (Telegram confirms by offset).
  let highest: number | undefined;
  async function lastStoredUpdateId(): Promise<number | undefined> {
    return highest;
  }

  async function loop(): Promise<void> {
    while (!stopped) {
      const now = ctx.now();
      let mine = false;
      try {
        mine = await acquireLease(db, POLLING_LEASE, holder, now, new Date(now.getTime() + leaseMs));
      } catch (err) {
        ctx.logger.warn({ err }, 'telegram polling lease check failed');
      }
      polling = mine;
      if (!mine) {
        await sleep(Math.min(leaseMs / 2, 5000));
        continue;
      }
      abort = new AbortController();
      try {
        await pollOnce(abort.signal);
      } catch (err) {
        if (stopped) break;
        const r = classify(err);
        const wait = !r.ok && r.kind === 'retry' && r.retryAfterMs ? r.retryAfterMs : 2000;
        ctx.logger.warn({ err, waitMs: wait }, 'telegram getUpdates failed');
        await sleep(wait);
      }
    }
    polling = false;
    await releaseLease(db, POLLING_LEASE, holder).catch(() => undefined);
  }

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      t.unref?.();
    });

  return {
    sender,
    processStored,
    sweep,
    pollOnce,
    get polling() {
      return polling;
    },
    async start() {
      stopped = false;
      // The commands Telegram lists under the chat's menu button, in Italian and in English; they show
      // the menu (core/conversation/kit.ts wantsMenu). Not being able to set them stops nothing.
      for (const language of ['it', 'en'] as const) {
        const commands = (['menu', 'help'] as const).map((command) => ({ command, description: ctx.i18n.t(`channels:commands.${command}`, { lng: language }) }));
        await telegram.setMyCommands(commands, language === 'it' ? {} : { language_code: language }).catch((err: unknown) => ctx.logger.warn({ errClass: (err as Error)?.name }, 'telegram commands not set'));
      }
      unlisten = await ctx.database.listen(INBOX_CHANNEL, (payload) => {
        const [channel, id, tag] = payload.split(':');
        if (channel !== 'telegram' || !id) return;
        // Without a tag, the payload of an instance still on an older version: taken at once, as before.
        if (tag === undefined || tag === here) announce(Number(id));
        else announceForeign(Number(id));
      });
      const tick = () => {
        if (stopped) return;
        sweepTimer = setTimeout(() => {
          sweep()
            .catch((err) => ctx.logger.warn({ err }, 'telegram sweep failed'))
            .finally(tick);
        }, sweepMs);
        sweepTimer.unref?.();
      };
      tick();
      if (config.mode === 'webhook') {
        await telegram.setWebhook(`${ctx.publicUrl}/telegram/webhook`, { secret_token: config.webhookSecret, allowed_updates: ['message', 'callback_query'] });
      } else {
        // A webhook left from an earlier deployment would make getUpdates fail.
        await telegram.deleteWebhook().catch(() => undefined);
        pollLoop = loop();
      }
    },
    async stop() {
      stopped = true;
      abort?.abort();
      if (sweepTimer) clearTimeout(sweepTimer);
      if (reorderTimer) clearTimeout(reorderTimer);
      if (foreignTimer) clearTimeout(foreignTimer);
      foreignTimer = undefined;
      foreign.length = 0;
      await unlisten?.();
      await releasing;
      await pollLoop?.catch(() => undefined);
      await Promise.allSettled([...inFlight.values()]);
    },
  };
}
