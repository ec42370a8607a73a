-- The voucher ledger is append-only, like the audit log: corrections are new entries
-- (adjustments, returns), never edits. Refused at the database, not only in the app.
CREATE OR REPLACE FUNCTION voucher_ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'voucher_ledger is append-only';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER voucher_ledger_no_update_delete
  BEFORE UPDATE OR DELETE ON voucher_ledger
  FOR EACH ROW EXECUTE FUNCTION voucher_ledger_refuse_change();
--> statement-breakpoint
-- Last line of defence under the row lock taken by db/ledger.ts: an entry that would take a
-- programme's balance below zero is refused, whatever code path wrote it.
CREATE OR REPLACE FUNCTION voucher_ledger_check_balance() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  balance bigint;
BEGIN
  SELECT coalesce(sum(CASE WHEN kind IN ('issue', 'adjustment') THEN hours ELSE -hours END), 0)
    INTO balance FROM voucher_ledger WHERE programme_id = NEW.programme_id;
  IF balance < 0 THEN
    RAISE EXCEPTION 'voucher balance of programme % would be negative', NEW.programme_id
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER voucher_ledger_balance_not_negative
  AFTER INSERT ON voucher_ledger
  FOR EACH ROW EXECUTE FUNCTION voucher_ledger_check_balance();
