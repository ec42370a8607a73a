DROP INDEX "channel_inbound_pending_chat_idx";--> statement-breakpoint
ALTER TABLE "channel_inbound" ADD COLUMN "pending_chat" text GENERATED ALWAYS AS (case when processed_at is null and channel = 'telegram' then coalesce(payload->'message'->'chat'->>'id', payload->'callback_query'->'message'->'chat'->>'id') end) STORED;--> statement-breakpoint
CREATE INDEX "channel_inbound_pending_chat_idx" ON "channel_inbound" USING btree ("pending_chat","update_seq") WHERE "channel_inbound"."pending_chat" is not null;--> statement-breakpoint
ALTER TABLE "channel_inbound" DROP COLUMN "chat_key";