-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Shop" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "domain" TEXT NOT NULL,
    "name" TEXT,
    "email" TEXT,
    "currency" TEXT,
    "timezone" TEXT NOT NULL DEFAULT 'UTC',
    "locale" TEXT NOT NULL DEFAULT 'en',
    "installedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "uninstalledAt" DATETIME,
    "country" TEXT,
    "plan" TEXT,
    "developmentStore" BOOLEAN,
    "factsSyncedAt" DATETIME,
    "adminAuthLostAt" DATETIME,
    "codCancelOrders" BOOLEAN NOT NULL DEFAULT false,
    "codReminderHours" INTEGER NOT NULL DEFAULT 12,
    "requireUtilityOptIn" BOOLEAN NOT NULL DEFAULT false,
    "smsConsentCountsForWhatsApp" BOOLEAN NOT NULL DEFAULT false,
    "marketingBlockedCountries" JSONB NOT NULL,
    "optOutKeywords" JSONB NOT NULL,
    "monthlyBudgetMicros" BIGINT,
    "pricingReconciledAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);
INSERT INTO "new_Shop" ("adminAuthLostAt", "codCancelOrders", "codReminderHours", "country", "createdAt", "currency", "developmentStore", "domain", "email", "factsSyncedAt", "id", "installedAt", "locale", "marketingBlockedCountries", "monthlyBudgetMicros", "name", "optOutKeywords", "plan", "pricingReconciledAt", "requireUtilityOptIn", "timezone", "uninstalledAt", "updatedAt") SELECT "adminAuthLostAt", "codCancelOrders", "codReminderHours", "country", "createdAt", "currency", "developmentStore", "domain", "email", "factsSyncedAt", "id", "installedAt", "locale", "marketingBlockedCountries", "monthlyBudgetMicros", "name", "optOutKeywords", "plan", "pricingReconciledAt", "requireUtilityOptIn", "timezone", "uninstalledAt", "updatedAt" FROM "Shop";
DROP TABLE "Shop";
ALTER TABLE "new_Shop" RENAME TO "Shop";
CREATE UNIQUE INDEX "Shop_domain_key" ON "Shop"("domain");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
