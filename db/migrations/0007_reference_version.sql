-- A counter bumped by every change to the reference data the chat reads on each turn (comuni,
-- resources and the comuni they serve). The chat keeps that data in memory and reads only this
-- number with the turn's first query: a change made on any instance is seen at the next turn.
CREATE TABLE reference_data_version (
  id integer PRIMARY KEY CHECK (id = 1),
  version bigint NOT NULL
);
--> statement-breakpoint
INSERT INTO reference_data_version (id, version) VALUES (1, 1);
--> statement-breakpoint
CREATE OR REPLACE FUNCTION reference_data_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE reference_data_version SET version = version + 1 WHERE id = 1;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER comuni_reference_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON comuni
  FOR EACH STATEMENT EXECUTE FUNCTION reference_data_bump();
--> statement-breakpoint
CREATE TRIGGER resources_reference_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON resources
  FOR EACH STATEMENT EXECUTE FUNCTION reference_data_bump();
--> statement-breakpoint
CREATE TRIGGER resource_comuni_reference_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON resource_comuni
  FOR EACH STATEMENT EXECUTE FUNCTION reference_data_bump();
