CREATE SEQUENCE "public"."reference_numbers" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1001 CACHE 1;--> statement-breakpoint
CREATE TABLE "access_record_changes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"person_id" uuid NOT NULL,
	"application_id" uuid,
	"source" text NOT NULL,
	"conversation_id" uuid,
	"changes" jsonb NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"reviewed_by" uuid,
	"reviewed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "allocations" (
	"year" integer NOT NULL,
	"comune_id" text NOT NULL,
	"kind" text NOT NULL,
	"hours" integer NOT NULL,
	"saved_by" uuid,
	"saved_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "allocations_year_comune_id_kind_pk" PRIMARY KEY("year","comune_id","kind")
);
--> statement-breakpoint
CREATE TABLE "application_details" (
	"application_id" uuid PRIMARY KEY NOT NULL,
	"applicant_person_id" uuid,
	"segnalazione_id" uuid,
	"isee_cents" integer,
	"isee_year" integer,
	"isee_expires_on" date,
	"eligibility" jsonb,
	"answer_outcome" text,
	"answer_sent_at" timestamp with time zone,
	"answer_sent_by" uuid,
	"answer_sent_via" text,
	"closed_reason" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "application_status_history" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"application_id" uuid NOT NULL,
	"from_status" text,
	"to_status" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"by_staff_id" uuid,
	"note" text
);
--> statement-breakpoint
CREATE TABLE "budgets" (
	"year" integer PRIMARY KEY NOT NULL,
	"total_hours" integer NOT NULL,
	"weeks" integer NOT NULL,
	"saved_by" uuid,
	"saved_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "canned_replies" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"comune_id" text,
	"title" text NOT NULL,
	"body" text NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "case_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"person_id" uuid NOT NULL,
	"comune_id" text,
	"subject_type" text,
	"subject_id" text,
	"payload" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"dedupe_key" text,
	"occurred_at" timestamp with time zone DEFAULT now() NOT NULL,
	"consumed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "channel_inbound" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"channel" text NOT NULL,
	"external_id" text NOT NULL,
	"payload" jsonb NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"processed_at" timestamp with time zone,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text
);
--> statement-breakpoint
CREATE TABLE "channel_leases" (
	"name" text PRIMARY KEY NOT NULL,
	"holder" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "comune_settings" (
	"comune_id" text PRIMARY KEY NOT NULL,
	"fee_tariff" jsonb,
	"on_call_staff_id" uuid,
	"extra_services" jsonb,
	"volunteer_voucher_services" text[] DEFAULT '{}'::text[] NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" uuid
);
--> statement-breakpoint
CREATE TABLE "consents" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"person_id" uuid NOT NULL,
	"delegation_id" uuid,
	"purpose" text NOT NULL,
	"method" text NOT NULL,
	"given_at" timestamp with time zone NOT NULL,
	"given_by" text,
	"recorded_by" uuid,
	"withdrawn_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "conversation_notes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"conversation_id" uuid NOT NULL,
	"staff_user_id" uuid NOT NULL,
	"body" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "delegations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"person_id" uuid NOT NULL,
	"delegate_person_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"relationship" text,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "documents" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"person_id" uuid,
	"comune_id" text,
	"application_id" uuid,
	"conversation_id" uuid,
	"type" text NOT NULL,
	"media_type" text NOT NULL,
	"filename" text,
	"size_bytes" integer NOT NULL,
	"sha256" text NOT NULL,
	"content" "bytea" NOT NULL,
	"source" text NOT NULL,
	"uploaded_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "evaluations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"programme_id" uuid NOT NULL,
	"evaluated_on" date NOT NULL,
	"outcome" text NOT NULL,
	"notes" text,
	"by_staff_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "fee_statements" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"programme_id" uuid NOT NULL,
	"person_id" uuid NOT NULL,
	"comune_id" text NOT NULL,
	"month" text NOT NULL,
	"redeemed_hours" integer NOT NULL,
	"amount_cents" integer NOT NULL,
	"due_on" date NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "help_requests" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"reference" text NOT NULL,
	"conversation_id" uuid,
	"requester_person_id" uuid,
	"person_id" uuid,
	"comune_id" text,
	"kind" text NOT NULL,
	"service" text,
	"family" text,
	"requested_start" timestamp with time zone,
	"requested_text" text,
	"status" text DEFAULT 'new' NOT NULL,
	"programme_id" uuid,
	"visit_id" uuid,
	"resource_id" uuid,
	"assigned_staff_id" uuid,
	"source_message_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "link_codes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"code_hash" text NOT NULL,
	"person_id" uuid NOT NULL,
	"issued_by" uuid,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone,
	"used_by_identity_id" uuid,
	"failed_attempts" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "outbound_messages" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"channel" text NOT NULL,
	"address" text NOT NULL,
	"identity_id" uuid,
	"person_id" uuid,
	"staff_user_id" uuid,
	"conversation_id" uuid,
	"message_id" uuid,
	"body" text NOT NULL,
	"options" jsonb,
	"locale" text DEFAULT 'it' NOT NULL,
	"purpose" text DEFAULT 'reply' NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"locked_until" timestamp with time zone,
	"last_error" text,
	"provider_id" text,
	"sent_at" timestamp with time zone,
	"dedupe_key" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "payments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"statement_id" uuid NOT NULL,
	"amount_cents" integer NOT NULL,
	"paid_on" date NOT NULL,
	"method" text,
	"recorded_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "payments_amount_check" CHECK ("payments"."amount_cents" > 0)
);
--> statement-breakpoint
CREATE TABLE "programme_suspensions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"programme_id" uuid NOT NULL,
	"from_date" date NOT NULL,
	"to_date" date,
	"reason" text NOT NULL,
	"status" text DEFAULT 'requested' NOT NULL,
	"source" text NOT NULL,
	"requested_via" uuid,
	"decided_by" uuid,
	"decided_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "programmes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"person_id" uuid NOT NULL,
	"comune_id" text NOT NULL,
	"application_id" uuid,
	"resource_id" uuid,
	"services" text[] NOT NULL,
	"weekly_hours" integer NOT NULL,
	"operators" integer DEFAULT 1 NOT NULL,
	"visits_per_week" integer NOT NULL,
	"period_start" date NOT NULL,
	"period_end" date NOT NULL,
	"period" integer DEFAULT 1 NOT NULL,
	"previous_programme_id" uuid,
	"status" text DEFAULT 'planned' NOT NULL,
	"contract_signed_at" timestamp with time zone,
	"interrupted_on" date,
	"interruption_reason" text,
	"family_assistant" jsonb,
	"weekly_cap_exception" jsonb,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "programmes_status_check" CHECK ("programmes"."status" in ('planned', 'active', 'suspended', 'interrupted', 'ended')),
	CONSTRAINT "programmes_hours_check" CHECK ("programmes"."weekly_hours" > 0 and "programmes"."operators" > 0 and "programmes"."visits_per_week" > 0),
	CONSTRAINT "programmes_period_check" CHECK ("programmes"."period_end" >= "programmes"."period_start")
);
--> statement-breakpoint
CREATE TABLE "questionnaire_responses" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"programme_id" uuid NOT NULL,
	"answers" jsonb NOT NULL,
	"source" text NOT NULL,
	"conversation_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "resource_comuni" (
	"resource_id" uuid NOT NULL,
	"comune_id" text NOT NULL,
	CONSTRAINT "resource_comuni_resource_id_comune_id_pk" PRIMARY KEY("resource_id","comune_id")
);
--> statement-breakpoint
CREATE TABLE "resources" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"services" text[] DEFAULT '{}'::text[] NOT NULL,
	"phone" text,
	"email" text,
	"address" text,
	"availability" text,
	"accredited_until" date,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "resources_kind_check" CHECK ("resources"."kind" in ('accredited_provider', 'volunteer_association', 'occasional_helper', 'family_assistant'))
);
--> statement-breakpoint
CREATE TABLE "segnalazioni" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"reference" text NOT NULL,
	"conversation_id" uuid,
	"reporter_identity_id" uuid,
	"reporter_name" text,
	"reporter_role" text,
	"subject_name" text,
	"subject_address" text,
	"comune_id" text,
	"person_id" uuid,
	"problems" text[] DEFAULT '{}'::text[] NOT NULL,
	"details" text,
	"lives_alone" boolean,
	"person_aware" boolean,
	"immediate_risk" boolean DEFAULT false NOT NULL,
	"consent_to_contact" boolean,
	"urgency" text DEFAULT 'normal' NOT NULL,
	"status" text DEFAULT 'received' NOT NULL,
	"taken_by" uuid,
	"taken_at" timestamp with time zone,
	"application_id" uuid,
	"source_message_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "staff_contacts" (
	"staff_user_id" uuid PRIMARY KEY NOT NULL,
	"telegram_chat_id" text,
	"phone" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "staff_tasks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"kind" text NOT NULL,
	"comune_id" text,
	"person_id" uuid,
	"subject_type" text,
	"subject_id" text,
	"status" text DEFAULT 'open' NOT NULL,
	"due_at" timestamp with time zone,
	"done_by" uuid,
	"done_at" timestamp with time zone,
	"dedupe_key" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "staff_user_resources" (
	"user_id" uuid NOT NULL,
	"resource_id" uuid NOT NULL,
	CONSTRAINT "staff_user_resources_user_id_resource_id_pk" PRIMARY KEY("user_id","resource_id")
);
--> statement-breakpoint
CREATE TABLE "urgent_alerts" (
	"subject_key" text PRIMARY KEY NOT NULL,
	"comune_id" text,
	"staff_user_id" uuid,
	"outcome" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "visits" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"programme_id" uuid NOT NULL,
	"resource_id" uuid,
	"starts_at" timestamp with time zone NOT NULL,
	"hours" integer NOT NULL,
	"operators" integer DEFAULT 1 NOT NULL,
	"services" text[] DEFAULT '{}'::text[] NOT NULL,
	"status" text DEFAULT 'planned' NOT NULL,
	"status_changed_at" timestamp with time zone,
	"status_changed_by" uuid,
	"request_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "visits_status_check" CHECK ("visits"."status" in ('planned', 'done', 'cancelled', 'missed')),
	CONSTRAINT "visits_hours_check" CHECK ("visits"."hours" > 0 and "visits"."operators" > 0)
);
--> statement-breakpoint
CREATE TABLE "voucher_ledger" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"programme_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"hours" integer NOT NULL,
	"on" date NOT NULL,
	"delivered_at" timestamp with time zone,
	"visit_id" uuid,
	"resource_id" uuid,
	"reason" text,
	"recorded_by" uuid,
	"after_entry_id" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "voucher_ledger_kind_check" CHECK ("voucher_ledger"."kind" in ('issue', 'redeem', 'return', 'adjustment')),
	CONSTRAINT "voucher_ledger_hours_check" CHECK (("voucher_ledger"."kind" = 'adjustment' and "voucher_ledger"."hours" <> 0) or ("voucher_ledger"."kind" <> 'adjustment' and "voucher_ledger"."hours" > 0))
);
--> statement-breakpoint
ALTER TABLE "people" ADD COLUMN "preferred_channel" text;--> statement-breakpoint
ALTER TABLE "access_record_changes" ADD CONSTRAINT "access_record_changes_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "access_record_changes" ADD CONSTRAINT "access_record_changes_application_id_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "public"."applications"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "access_record_changes" ADD CONSTRAINT "access_record_changes_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "access_record_changes" ADD CONSTRAINT "access_record_changes_reviewed_by_staff_users_id_fk" FOREIGN KEY ("reviewed_by") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "allocations" ADD CONSTRAINT "allocations_year_budgets_year_fk" FOREIGN KEY ("year") REFERENCES "public"."budgets"("year") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "allocations" ADD CONSTRAINT "allocations_comune_id_comuni_id_fk" FOREIGN KEY ("comune_id") REFERENCES "public"."comuni"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "allocations" ADD CONSTRAINT "allocations_saved_by_staff_users_id_fk" FOREIGN KEY ("saved_by") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "application_details" ADD CONSTRAINT "application_details_application_id_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "public"."applications"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "application_details" ADD CONSTRAINT "application_details_applicant_person_id_people_id_fk" FOREIGN KEY ("applicant_person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "application_details" ADD CONSTRAINT "application_details_answer_sent_by_staff_users_id_fk" FOREIGN KEY ("answer_sent_by") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "application_status_history" ADD CONSTRAINT "application_status_history_application_id_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "public"."applications"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "application_status_history" ADD CONSTRAINT "application_status_history_by_staff_id_staff_users_id_fk" FOREIGN KEY ("by_staff_id") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "budgets" ADD CONSTRAINT "budgets_saved_by_staff_users_id_fk" FOREIGN KEY ("saved_by") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "canned_replies" ADD CONSTRAINT "canned_replies_comune_id_comuni_id_fk" FOREIGN KEY ("comune_id") REFERENCES "public"."comuni"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "canned_replies" ADD CONSTRAINT "canned_replies_created_by_staff_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_events" ADD CONSTRAINT "case_events_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_events" ADD CONSTRAINT "case_events_comune_id_comuni_id_fk" FOREIGN KEY ("comune_id") REFERENCES "public"."comuni"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "comune_settings" ADD CONSTRAINT "comune_settings_comune_id_comuni_id_fk" FOREIGN KEY ("comune_id") REFERENCES "public"."comuni"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "comune_settings" ADD CONSTRAINT "comune_settings_on_call_staff_id_staff_users_id_fk" FOREIGN KEY ("on_call_staff_id") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "comune_settings" ADD CONSTRAINT "comune_settings_updated_by_staff_users_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "consents" ADD CONSTRAINT "consents_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "consents" ADD CONSTRAINT "consents_delegation_id_delegations_id_fk" FOREIGN KEY ("delegation_id") REFERENCES "public"."delegations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "consents" ADD CONSTRAINT "consents_recorded_by_staff_users_id_fk" FOREIGN KEY ("recorded_by") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "conversation_notes" ADD CONSTRAINT "conversation_notes_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "conversation_notes" ADD CONSTRAINT "conversation_notes_staff_user_id_staff_users_id_fk" FOREIGN KEY ("staff_user_id") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "delegations" ADD CONSTRAINT "delegations_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "delegations" ADD CONSTRAINT "delegations_delegate_person_id_people_id_fk" FOREIGN KEY ("delegate_person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "delegations" ADD CONSTRAINT "delegations_created_by_staff_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "documents" ADD CONSTRAINT "documents_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "documents" ADD CONSTRAINT "documents_comune_id_comuni_id_fk" FOREIGN KEY ("comune_id") REFERENCES "public"."comuni"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "documents" ADD CONSTRAINT "documents_application_id_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "public"."applications"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "documents" ADD CONSTRAINT "documents_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "documents" ADD CONSTRAINT "documents_uploaded_by_staff_users_id_fk" FOREIGN KEY ("uploaded_by") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evaluations" ADD CONSTRAINT "evaluations_programme_id_programmes_id_fk" FOREIGN KEY ("programme_id") REFERENCES "public"."programmes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evaluations" ADD CONSTRAINT "evaluations_by_staff_id_staff_users_id_fk" FOREIGN KEY ("by_staff_id") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "fee_statements" ADD CONSTRAINT "fee_statements_programme_id_programmes_id_fk" FOREIGN KEY ("programme_id") REFERENCES "public"."programmes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "fee_statements" ADD CONSTRAINT "fee_statements_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "fee_statements" ADD CONSTRAINT "fee_statements_comune_id_comuni_id_fk" FOREIGN KEY ("comune_id") REFERENCES "public"."comuni"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "help_requests" ADD CONSTRAINT "help_requests_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "help_requests" ADD CONSTRAINT "help_requests_requester_person_id_people_id_fk" FOREIGN KEY ("requester_person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "help_requests" ADD CONSTRAINT "help_requests_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "help_requests" ADD CONSTRAINT "help_requests_comune_id_comuni_id_fk" FOREIGN KEY ("comune_id") REFERENCES "public"."comuni"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "help_requests" ADD CONSTRAINT "help_requests_programme_id_programmes_id_fk" FOREIGN KEY ("programme_id") REFERENCES "public"."programmes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "help_requests" ADD CONSTRAINT "help_requests_visit_id_visits_id_fk" FOREIGN KEY ("visit_id") REFERENCES "public"."visits"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "help_requests" ADD CONSTRAINT "help_requests_resource_id_resources_id_fk" FOREIGN KEY ("resource_id") REFERENCES "public"."resources"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "help_requests" ADD CONSTRAINT "help_requests_assigned_staff_id_staff_users_id_fk" FOREIGN KEY ("assigned_staff_id") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "link_codes" ADD CONSTRAINT "link_codes_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "link_codes" ADD CONSTRAINT "link_codes_issued_by_staff_users_id_fk" FOREIGN KEY ("issued_by") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "link_codes" ADD CONSTRAINT "link_codes_used_by_identity_id_channel_identities_id_fk" FOREIGN KEY ("used_by_identity_id") REFERENCES "public"."channel_identities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "outbound_messages" ADD CONSTRAINT "outbound_messages_identity_id_channel_identities_id_fk" FOREIGN KEY ("identity_id") REFERENCES "public"."channel_identities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "outbound_messages" ADD CONSTRAINT "outbound_messages_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "outbound_messages" ADD CONSTRAINT "outbound_messages_staff_user_id_staff_users_id_fk" FOREIGN KEY ("staff_user_id") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "outbound_messages" ADD CONSTRAINT "outbound_messages_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_statement_id_fee_statements_id_fk" FOREIGN KEY ("statement_id") REFERENCES "public"."fee_statements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_recorded_by_staff_users_id_fk" FOREIGN KEY ("recorded_by") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "programme_suspensions" ADD CONSTRAINT "programme_suspensions_programme_id_programmes_id_fk" FOREIGN KEY ("programme_id") REFERENCES "public"."programmes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "programme_suspensions" ADD CONSTRAINT "programme_suspensions_requested_via_conversations_id_fk" FOREIGN KEY ("requested_via") REFERENCES "public"."conversations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "programme_suspensions" ADD CONSTRAINT "programme_suspensions_decided_by_staff_users_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "programmes" ADD CONSTRAINT "programmes_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "programmes" ADD CONSTRAINT "programmes_comune_id_comuni_id_fk" FOREIGN KEY ("comune_id") REFERENCES "public"."comuni"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "programmes" ADD CONSTRAINT "programmes_application_id_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "public"."applications"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "programmes" ADD CONSTRAINT "programmes_resource_id_resources_id_fk" FOREIGN KEY ("resource_id") REFERENCES "public"."resources"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "programmes" ADD CONSTRAINT "programmes_created_by_staff_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "questionnaire_responses" ADD CONSTRAINT "questionnaire_responses_programme_id_programmes_id_fk" FOREIGN KEY ("programme_id") REFERENCES "public"."programmes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "questionnaire_responses" ADD CONSTRAINT "questionnaire_responses_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "resource_comuni" ADD CONSTRAINT "resource_comuni_resource_id_resources_id_fk" FOREIGN KEY ("resource_id") REFERENCES "public"."resources"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "resource_comuni" ADD CONSTRAINT "resource_comuni_comune_id_comuni_id_fk" FOREIGN KEY ("comune_id") REFERENCES "public"."comuni"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "segnalazioni" ADD CONSTRAINT "segnalazioni_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "segnalazioni" ADD CONSTRAINT "segnalazioni_reporter_identity_id_channel_identities_id_fk" FOREIGN KEY ("reporter_identity_id") REFERENCES "public"."channel_identities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "segnalazioni" ADD CONSTRAINT "segnalazioni_comune_id_comuni_id_fk" FOREIGN KEY ("comune_id") REFERENCES "public"."comuni"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "segnalazioni" ADD CONSTRAINT "segnalazioni_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "segnalazioni" ADD CONSTRAINT "segnalazioni_taken_by_staff_users_id_fk" FOREIGN KEY ("taken_by") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "segnalazioni" ADD CONSTRAINT "segnalazioni_application_id_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "public"."applications"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "staff_contacts" ADD CONSTRAINT "staff_contacts_staff_user_id_staff_users_id_fk" FOREIGN KEY ("staff_user_id") REFERENCES "public"."staff_users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "staff_tasks" ADD CONSTRAINT "staff_tasks_comune_id_comuni_id_fk" FOREIGN KEY ("comune_id") REFERENCES "public"."comuni"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "staff_tasks" ADD CONSTRAINT "staff_tasks_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "staff_tasks" ADD CONSTRAINT "staff_tasks_done_by_staff_users_id_fk" FOREIGN KEY ("done_by") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "staff_user_resources" ADD CONSTRAINT "staff_user_resources_user_id_staff_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."staff_users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "staff_user_resources" ADD CONSTRAINT "staff_user_resources_resource_id_resources_id_fk" FOREIGN KEY ("resource_id") REFERENCES "public"."resources"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "urgent_alerts" ADD CONSTRAINT "urgent_alerts_comune_id_comuni_id_fk" FOREIGN KEY ("comune_id") REFERENCES "public"."comuni"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "urgent_alerts" ADD CONSTRAINT "urgent_alerts_staff_user_id_staff_users_id_fk" FOREIGN KEY ("staff_user_id") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "visits" ADD CONSTRAINT "visits_programme_id_programmes_id_fk" FOREIGN KEY ("programme_id") REFERENCES "public"."programmes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "visits" ADD CONSTRAINT "visits_resource_id_resources_id_fk" FOREIGN KEY ("resource_id") REFERENCES "public"."resources"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "visits" ADD CONSTRAINT "visits_status_changed_by_staff_users_id_fk" FOREIGN KEY ("status_changed_by") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "voucher_ledger" ADD CONSTRAINT "voucher_ledger_programme_id_programmes_id_fk" FOREIGN KEY ("programme_id") REFERENCES "public"."programmes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "voucher_ledger" ADD CONSTRAINT "voucher_ledger_visit_id_visits_id_fk" FOREIGN KEY ("visit_id") REFERENCES "public"."visits"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "voucher_ledger" ADD CONSTRAINT "voucher_ledger_resource_id_resources_id_fk" FOREIGN KEY ("resource_id") REFERENCES "public"."resources"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "voucher_ledger" ADD CONSTRAINT "voucher_ledger_recorded_by_staff_users_id_fk" FOREIGN KEY ("recorded_by") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "access_record_changes_person_idx" ON "access_record_changes" USING btree ("person_id");--> statement-breakpoint
CREATE INDEX "access_record_changes_pending_idx" ON "access_record_changes" USING btree ("status") WHERE "access_record_changes"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "application_status_history_app_idx" ON "application_status_history" USING btree ("application_id","at");--> statement-breakpoint
CREATE INDEX "canned_replies_comune_idx" ON "canned_replies" USING btree ("comune_id");--> statement-breakpoint
CREATE INDEX "case_events_person_idx" ON "case_events" USING btree ("person_id","id");--> statement-breakpoint
CREATE INDEX "case_events_pending_idx" ON "case_events" USING btree ("id") WHERE "case_events"."consumed_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "case_events_dedupe_key" ON "case_events" USING btree ("dedupe_key") WHERE "case_events"."dedupe_key" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "channel_inbound_external_key" ON "channel_inbound" USING btree ("channel","external_id");--> statement-breakpoint
CREATE INDEX "channel_inbound_pending_idx" ON "channel_inbound" USING btree ("id") WHERE "channel_inbound"."processed_at" is null;--> statement-breakpoint
CREATE INDEX "consents_person_idx" ON "consents" USING btree ("person_id");--> statement-breakpoint
CREATE INDEX "conversation_notes_conversation_idx" ON "conversation_notes" USING btree ("conversation_id","created_at");--> statement-breakpoint
CREATE INDEX "delegations_person_idx" ON "delegations" USING btree ("person_id");--> statement-breakpoint
CREATE INDEX "delegations_delegate_idx" ON "delegations" USING btree ("delegate_person_id");--> statement-breakpoint
CREATE UNIQUE INDEX "delegations_active_key" ON "delegations" USING btree ("person_id","delegate_person_id") WHERE "delegations"."revoked_at" is null;--> statement-breakpoint
CREATE INDEX "documents_person_idx" ON "documents" USING btree ("person_id");--> statement-breakpoint
CREATE INDEX "documents_conversation_idx" ON "documents" USING btree ("conversation_id");--> statement-breakpoint
CREATE INDEX "evaluations_programme_idx" ON "evaluations" USING btree ("programme_id");--> statement-breakpoint
CREATE UNIQUE INDEX "fee_statements_month_key" ON "fee_statements" USING btree ("programme_id","month");--> statement-breakpoint
CREATE INDEX "fee_statements_person_idx" ON "fee_statements" USING btree ("person_id");--> statement-breakpoint
CREATE UNIQUE INDEX "help_requests_reference_key" ON "help_requests" USING btree ("reference");--> statement-breakpoint
CREATE UNIQUE INDEX "help_requests_source_key" ON "help_requests" USING btree ("source_message_id") WHERE "help_requests"."source_message_id" is not null;--> statement-breakpoint
CREATE INDEX "help_requests_status_idx" ON "help_requests" USING btree ("status","comune_id");--> statement-breakpoint
CREATE INDEX "help_requests_person_idx" ON "help_requests" USING btree ("person_id");--> statement-breakpoint
CREATE UNIQUE INDEX "link_codes_hash_key" ON "link_codes" USING btree ("code_hash");--> statement-breakpoint
CREATE INDEX "link_codes_person_idx" ON "link_codes" USING btree ("person_id");--> statement-breakpoint
CREATE UNIQUE INDEX "outbound_messages_dedupe_key" ON "outbound_messages" USING btree ("dedupe_key");--> statement-breakpoint
CREATE INDEX "outbound_messages_due_idx" ON "outbound_messages" USING btree ("next_attempt_at") WHERE "outbound_messages"."status" in ('queued', 'sending');--> statement-breakpoint
CREATE INDEX "outbound_messages_address_idx" ON "outbound_messages" USING btree ("channel","address","created_at");--> statement-breakpoint
CREATE INDEX "outbound_messages_provider_idx" ON "outbound_messages" USING btree ("provider_id") WHERE "outbound_messages"."provider_id" is not null;--> statement-breakpoint
CREATE INDEX "payments_statement_idx" ON "payments" USING btree ("statement_id");--> statement-breakpoint
CREATE INDEX "programme_suspensions_programme_idx" ON "programme_suspensions" USING btree ("programme_id");--> statement-breakpoint
CREATE INDEX "programmes_person_idx" ON "programmes" USING btree ("person_id");--> statement-breakpoint
CREATE INDEX "programmes_status_idx" ON "programmes" USING btree ("status","comune_id");--> statement-breakpoint
CREATE INDEX "programmes_resource_idx" ON "programmes" USING btree ("resource_id");--> statement-breakpoint
CREATE INDEX "questionnaire_responses_programme_idx" ON "questionnaire_responses" USING btree ("programme_id");--> statement-breakpoint
CREATE INDEX "resource_comuni_comune_idx" ON "resource_comuni" USING btree ("comune_id");--> statement-breakpoint
CREATE UNIQUE INDEX "segnalazioni_reference_key" ON "segnalazioni" USING btree ("reference");--> statement-breakpoint
CREATE UNIQUE INDEX "segnalazioni_source_key" ON "segnalazioni" USING btree ("source_message_id") WHERE "segnalazioni"."source_message_id" is not null;--> statement-breakpoint
CREATE INDEX "segnalazioni_status_idx" ON "segnalazioni" USING btree ("status","comune_id");--> statement-breakpoint
CREATE INDEX "staff_tasks_open_idx" ON "staff_tasks" USING btree ("status","comune_id");--> statement-breakpoint
CREATE UNIQUE INDEX "staff_tasks_dedupe_key" ON "staff_tasks" USING btree ("dedupe_key") WHERE "staff_tasks"."dedupe_key" is not null;--> statement-breakpoint
CREATE INDEX "visits_programme_idx" ON "visits" USING btree ("programme_id","starts_at");--> statement-breakpoint
CREATE INDEX "visits_resource_idx" ON "visits" USING btree ("resource_id","starts_at");--> statement-breakpoint
CREATE UNIQUE INDEX "voucher_ledger_after_entry_key" ON "voucher_ledger" USING btree ("after_entry_id") WHERE "voucher_ledger"."after_entry_id" is not null;--> statement-breakpoint
CREATE INDEX "voucher_ledger_programme_idx" ON "voucher_ledger" USING btree ("programme_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "voucher_ledger_visit_key" ON "voucher_ledger" USING btree ("visit_id") WHERE "voucher_ledger"."kind" = 'redeem' and "voucher_ledger"."visit_id" is not null;--> statement-breakpoint
CREATE INDEX "applications_comune_status_idx" ON "applications" USING btree ("comune_id","status","application_date");