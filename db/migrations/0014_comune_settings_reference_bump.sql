-- The chat now reads each comune's tariff (comune_settings.fee_tariff) from the reference data it
-- keeps in memory (migration 0007): a change of settings bumps the version like a change of comuni.
CREATE TRIGGER comune_settings_reference_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON comune_settings
  FOR EACH STATEMENT EXECUTE FUNCTION reference_data_bump();
