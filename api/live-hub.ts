/**
 * Fans Postgres NOTIFYs about new messages out to the open server-sent-event streams of this
 * instance (and forwards staff-session changes to the session cache, db/session-cache.ts). One LISTEN per instance, whatever the number of streams; a message stored by
 * another instance reaches this one's browsers too.
 */
import type { Database } from '../db/client.ts';
import { MESSAGES_CHANNEL } from '../db/conversations.ts';
import { forgetStaffSessions, SESSIONS_CHANNEL } from '../db/session-cache.ts';

export interface LiveHub {
  /** Calls `onMessage(seq)` for each new message of the conversation; returns the unsubscribe. */
  subscribe(conversationId: string, onMessage: (seq: number) => void): () => void;
  close(): Promise<void>;
}

export async function createLiveHub(database: Database): Promise<LiveHub> {
  const listeners = new Map<string, Set<(seq: number) => void>>();
  const unlisten = await database.listen(MESSAGES_CHANNEL, (payload) => {
    const [conversationId, seqText] = payload.split(':');
    const seq = Number(seqText);
    for (const listener of listeners.get(conversationId ?? '') ?? []) listener(seq);
  });
  // Another instance ended a session or changed a staff member: forget what this one remembers.
  const unlistenSessions = await database.listen(SESSIONS_CHANNEL, () => forgetStaffSessions());
  return {
    subscribe(conversationId, onMessage) {
      let set = listeners.get(conversationId);
      if (!set) listeners.set(conversationId, (set = new Set()));
      set.add(onMessage);
      return () => {
        set.delete(onMessage);
        if (set.size === 0) listeners.delete(conversationId);
      };
    },
    async close() {
      listeners.clear();
      await unlisten();
      await unlistenSessions();
    },
  };
}
