DROP INDEX "messages_reply_to_idx";--> statement-breakpoint
CREATE INDEX "messages_reply_to_idx" ON "messages" USING btree ("reply_to") WHERE "messages"."reply_to" is not null;