CREATE TABLE "checkin_enrolments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"person_id" uuid NOT NULL,
	"comune_id" text NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"weekdays" integer[] NOT NULL,
	"window_start" text NOT NULL,
	"channel" text,
	"contacts" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"grace_minutes" integer DEFAULT 30 NOT NULL,
	"on_holidays" boolean DEFAULT false NOT NULL,
	"consent_id" uuid NOT NULL,
	"paused_until" date,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "checkin_enrolments_status_check" CHECK ("checkin_enrolments"."status" in ('active', 'paused', 'stopped')),
	CONSTRAINT "checkin_enrolments_grace_check" CHECK ("checkin_enrolments"."grace_minutes" between 10 and 180)
);
--> statement-breakpoint
CREATE TABLE "checkin_occurrences" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"enrolment_id" uuid NOT NULL,
	"person_id" uuid NOT NULL,
	"comune_id" text NOT NULL,
	"local_date" date NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"status" text NOT NULL,
	"skip_reason" text,
	"channel" text,
	"conversation_id" uuid,
	"prompted_at" timestamp with time zone,
	"reprompted_at" timestamp with time zone,
	"answer" text,
	"answered_at" timestamp with time zone,
	"escalated_at" timestamp with time zone,
	"escalation_reason" text,
	"follow_up" text,
	"follow_up_at" timestamp with time zone,
	"follow_up_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "community_settings" (
	"comune_id" text PRIMARY KEY NOT NULL,
	"incentive_cents_per_hour" integer NOT NULL,
	"incentive_monthly_cap_cents" integer NOT NULL,
	"updated_by" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "community_settings_incentive_check" CHECK ("community_settings"."incentive_cents_per_hour" >= 0 and "community_settings"."incentive_monthly_cap_cents" >= 0)
);
--> statement-breakpoint
CREATE TABLE "light_request_assignments" (
	"help_request_id" uuid PRIMARY KEY NOT NULL,
	"resource_id" uuid NOT NULL,
	"assigned_by" uuid,
	"assigned_at" timestamp with time zone NOT NULL,
	"scheduled_start" timestamp with time zone,
	"scheduled_by" uuid,
	"scheduled_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "programme_family_assistants" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"programme_id" uuid NOT NULL,
	"comune_id" text NOT NULL,
	"resource_id" uuid,
	"name" text,
	"contract_start" date NOT NULL,
	"contract_end" date,
	"weekly_hours" integer NOT NULL,
	"employment_reference" text NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "programme_family_assistants_who_check" CHECK ("programme_family_assistants"."resource_id" is not null or "programme_family_assistants"."name" is not null),
	CONSTRAINT "programme_family_assistants_period_check" CHECK ("programme_family_assistants"."contract_end" is null or "programme_family_assistants"."contract_end" >= "programme_family_assistants"."contract_start"),
	CONSTRAINT "programme_family_assistants_hours_check" CHECK ("programme_family_assistants"."weekly_hours" between 1 and 54)
);
--> statement-breakpoint
CREATE TABLE "volunteer_redemptions" (
	"ledger_entry_id" bigint PRIMARY KEY NOT NULL,
	"programme_id" uuid NOT NULL,
	"comune_id" text NOT NULL,
	"resource_id" uuid NOT NULL,
	"service" text NOT NULL,
	"help_request_id" uuid,
	"recorded_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "checkin_enrolments" ADD CONSTRAINT "checkin_enrolments_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "checkin_enrolments" ADD CONSTRAINT "checkin_enrolments_comune_id_comuni_id_fk" FOREIGN KEY ("comune_id") REFERENCES "public"."comuni"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "checkin_enrolments" ADD CONSTRAINT "checkin_enrolments_consent_id_consents_id_fk" FOREIGN KEY ("consent_id") REFERENCES "public"."consents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "checkin_enrolments" ADD CONSTRAINT "checkin_enrolments_created_by_staff_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "checkin_occurrences" ADD CONSTRAINT "checkin_occurrences_enrolment_id_checkin_enrolments_id_fk" FOREIGN KEY ("enrolment_id") REFERENCES "public"."checkin_enrolments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "checkin_occurrences" ADD CONSTRAINT "checkin_occurrences_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "checkin_occurrences" ADD CONSTRAINT "checkin_occurrences_comune_id_comuni_id_fk" FOREIGN KEY ("comune_id") REFERENCES "public"."comuni"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "checkin_occurrences" ADD CONSTRAINT "checkin_occurrences_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "checkin_occurrences" ADD CONSTRAINT "checkin_occurrences_follow_up_by_staff_users_id_fk" FOREIGN KEY ("follow_up_by") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "community_settings" ADD CONSTRAINT "community_settings_comune_id_comuni_id_fk" FOREIGN KEY ("comune_id") REFERENCES "public"."comuni"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "community_settings" ADD CONSTRAINT "community_settings_updated_by_staff_users_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "light_request_assignments" ADD CONSTRAINT "light_request_assignments_help_request_id_help_requests_id_fk" FOREIGN KEY ("help_request_id") REFERENCES "public"."help_requests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "light_request_assignments" ADD CONSTRAINT "light_request_assignments_resource_id_resources_id_fk" FOREIGN KEY ("resource_id") REFERENCES "public"."resources"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "light_request_assignments" ADD CONSTRAINT "light_request_assignments_assigned_by_staff_users_id_fk" FOREIGN KEY ("assigned_by") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "light_request_assignments" ADD CONSTRAINT "light_request_assignments_scheduled_by_staff_users_id_fk" FOREIGN KEY ("scheduled_by") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "programme_family_assistants" ADD CONSTRAINT "programme_family_assistants_programme_id_programmes_id_fk" FOREIGN KEY ("programme_id") REFERENCES "public"."programmes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "programme_family_assistants" ADD CONSTRAINT "programme_family_assistants_comune_id_comuni_id_fk" FOREIGN KEY ("comune_id") REFERENCES "public"."comuni"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "programme_family_assistants" ADD CONSTRAINT "programme_family_assistants_resource_id_resources_id_fk" FOREIGN KEY ("resource_id") REFERENCES "public"."resources"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "programme_family_assistants" ADD CONSTRAINT "programme_family_assistants_created_by_staff_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "volunteer_redemptions" ADD CONSTRAINT "volunteer_redemptions_ledger_entry_id_voucher_ledger_id_fk" FOREIGN KEY ("ledger_entry_id") REFERENCES "public"."voucher_ledger"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "volunteer_redemptions" ADD CONSTRAINT "volunteer_redemptions_programme_id_programmes_id_fk" FOREIGN KEY ("programme_id") REFERENCES "public"."programmes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "volunteer_redemptions" ADD CONSTRAINT "volunteer_redemptions_comune_id_comuni_id_fk" FOREIGN KEY ("comune_id") REFERENCES "public"."comuni"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "volunteer_redemptions" ADD CONSTRAINT "volunteer_redemptions_resource_id_resources_id_fk" FOREIGN KEY ("resource_id") REFERENCES "public"."resources"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "volunteer_redemptions" ADD CONSTRAINT "volunteer_redemptions_help_request_id_help_requests_id_fk" FOREIGN KEY ("help_request_id") REFERENCES "public"."help_requests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "volunteer_redemptions" ADD CONSTRAINT "volunteer_redemptions_recorded_by_staff_users_id_fk" FOREIGN KEY ("recorded_by") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "checkin_enrolments_person_key" ON "checkin_enrolments" USING btree ("person_id") WHERE "checkin_enrolments"."status" <> 'stopped';--> statement-breakpoint
CREATE INDEX "checkin_enrolments_live_idx" ON "checkin_enrolments" USING btree ("status") WHERE "checkin_enrolments"."status" <> 'stopped';--> statement-breakpoint
CREATE UNIQUE INDEX "checkin_occurrences_day_key" ON "checkin_occurrences" USING btree ("enrolment_id","local_date");--> statement-breakpoint
CREATE INDEX "checkin_occurrences_comune_day_idx" ON "checkin_occurrences" USING btree ("comune_id","local_date");--> statement-breakpoint
CREATE INDEX "checkin_occurrences_open_idx" ON "checkin_occurrences" USING btree ("status") WHERE "checkin_occurrences"."status" in ('prompted', 'reprompted');--> statement-breakpoint
CREATE INDEX "checkin_occurrences_person_idx" ON "checkin_occurrences" USING btree ("person_id","local_date");--> statement-breakpoint
CREATE INDEX "light_request_assignments_resource_idx" ON "light_request_assignments" USING btree ("resource_id","assigned_at");--> statement-breakpoint
CREATE INDEX "programme_family_assistants_programme_idx" ON "programme_family_assistants" USING btree ("programme_id");--> statement-breakpoint
CREATE INDEX "volunteer_redemptions_programme_idx" ON "volunteer_redemptions" USING btree ("programme_id");--> statement-breakpoint
CREATE INDEX "volunteer_redemptions_resource_idx" ON "volunteer_redemptions" USING btree ("resource_id","created_at");--> statement-breakpoint
CREATE INDEX "volunteer_redemptions_comune_idx" ON "volunteer_redemptions" USING btree ("comune_id","created_at");