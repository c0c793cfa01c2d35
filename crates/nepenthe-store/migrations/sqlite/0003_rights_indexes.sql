-- Lookups by contact id alone: a list of ids given without a tenant, and the erasure
-- receipts of an id (a rerun of an interrupted batch checks every id it is given).
CREATE INDEX contacts_by_id ON contacts (id);
CREATE INDEX erasures_by_contact ON erasures (contact_id, tenant_id);
