CREATE TABLE "applications" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"person_id" uuid NOT NULL,
	"comune_id" text NOT NULL,
	"origin" text NOT NULL,
	"status" text DEFAULT 'received' NOT NULL,
	"application_date" date NOT NULL,
	"total_points" integer,
	"autonomy_points" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "applications_status_check" CHECK ("applications"."status" in ('received', 'under_investigation', 'assessed', 'waiting_list', 'admitted', 'not_eligible', 'closed')),
	CONSTRAINT "applications_points_check" CHECK ("applications"."total_points" between 0 and 100 and "applications"."autonomy_points" between 0 and 40),
	CONSTRAINT "applications_ranked_scored_check" CHECK ("applications"."status" <> 'waiting_list' or ("applications"."total_points" is not null and "applications"."autonomy_points" is not null))
);
--> statement-breakpoint
CREATE TABLE "assessments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"application_id" uuid NOT NULL,
	"criteria" jsonb NOT NULL,
	"items" jsonb,
	"isee_cents" integer NOT NULL,
	"isee_year" integer,
	"isee_band" text NOT NULL,
	"total_points" integer NOT NULL,
	"autonomy_points" integer NOT NULL,
	"special_situation" jsonb,
	"assessed_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "applications" ADD CONSTRAINT "applications_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "applications" ADD CONSTRAINT "applications_comune_id_comuni_id_fk" FOREIGN KEY ("comune_id") REFERENCES "public"."comuni"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assessments" ADD CONSTRAINT "assessments_application_id_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "public"."applications"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assessments" ADD CONSTRAINT "assessments_assessed_by_staff_users_id_fk" FOREIGN KEY ("assessed_by") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "applications_waiting_list_idx" ON "applications" USING btree ("comune_id",(100 - "total_points"),(40 - "autonomy_points"),"application_date","id") WHERE "applications"."status" = 'waiting_list';--> statement-breakpoint
CREATE INDEX "applications_person_idx" ON "applications" USING btree ("person_id");--> statement-breakpoint
CREATE INDEX "assessments_application_idx" ON "assessments" USING btree ("application_id","created_at");