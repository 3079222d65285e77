-- CreateTable
CREATE TABLE "CodConfirmation" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "orderId" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'ASKED',
    "askedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "remindedAt" DATETIME,
    "answeredAt" DATETIME,
    "syncedAt" DATETIME,
    "syncError" TEXT,
    "syncAttempts" INTEGER NOT NULL DEFAULT 0,
    "nextSyncAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "CodConfirmation_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "CodConfirmation_orderId_fkey" FOREIGN KEY ("orderId") REFERENCES "Order" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

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
    "plan" TEXT,
    "developmentStore" BOOLEAN,
    "factsSyncedAt" DATETIME,
    "adminAuthLostAt" DATETIME,
    "codCancelOrders" BOOLEAN NOT NULL DEFAULT false,
    "codReminderHours" INTEGER NOT NULL DEFAULT 12,
    "requireUtilityOptIn" BOOLEAN NOT NULL DEFAULT false,
    "marketingBlockedCountries" JSONB NOT NULL,
    "optOutKeywords" JSONB NOT NULL,
    "monthlyBudgetMicros" BIGINT,
    "pricingReconciledAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);
INSERT INTO "new_Shop" ("adminAuthLostAt", "createdAt", "currency", "developmentStore", "domain", "email", "factsSyncedAt", "id", "installedAt", "locale", "marketingBlockedCountries", "monthlyBudgetMicros", "name", "optOutKeywords", "plan", "pricingReconciledAt", "requireUtilityOptIn", "timezone", "uninstalledAt", "updatedAt") SELECT "adminAuthLostAt", "createdAt", "currency", "developmentStore", "domain", "email", "factsSyncedAt", "id", "installedAt", "locale", "marketingBlockedCountries", "monthlyBudgetMicros", "name", "optOutKeywords", "plan", "pricingReconciledAt", "requireUtilityOptIn", "timezone", "uninstalledAt", "updatedAt" FROM "Shop";
DROP TABLE "Shop";
ALTER TABLE "new_Shop" RENAME TO "Shop";
CREATE UNIQUE INDEX "Shop_domain_key" ON "Shop"("domain");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE UNIQUE INDEX "CodConfirmation_orderId_key" ON "CodConfirmation"("orderId");

-- CreateIndex
CREATE INDEX "CodConfirmation_shopId_askedAt_idx" ON "CodConfirmation"("shopId", "askedAt");

-- CreateIndex
CREATE INDEX "CodConfirmation_status_askedAt_idx" ON "CodConfirmation"("status", "askedAt");
