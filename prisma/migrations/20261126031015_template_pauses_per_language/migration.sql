-- Template status events now stop only the language Meta names (automations.server.ts, templateFor):
-- automations paused whole by the earlier rule go again, and REINSTATED templates are sendable.
UPDATE "Automation" SET "pausedReason" = NULL WHERE "pausedReason" LIKE 'Template % is %';
UPDATE "Template" SET "status" = 'APPROVED' WHERE "status" = 'REINSTATED';
