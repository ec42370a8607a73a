CREATE TABLE "ambito_settings" (
	"id" boolean PRIMARY KEY DEFAULT true NOT NULL,
	"central_on_call_staff_id" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" uuid,
	CONSTRAINT "ambito_settings_single_row" CHECK ("ambito_settings"."id")
);
--> statement-breakpoint
ALTER TABLE "ambito_settings" ADD CONSTRAINT "ambito_settings_central_on_call_staff_id_staff_users_id_fk" FOREIGN KEY ("central_on_call_staff_id") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ambito_settings" ADD CONSTRAINT "ambito_settings_updated_by_staff_users_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;