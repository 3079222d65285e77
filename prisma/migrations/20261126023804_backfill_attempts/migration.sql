-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Backfill" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "since" DATETIME NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'PENDING',
    "total" INTEGER,
    "read" INTEGER NOT NULL DEFAULT 0,
    "stored" INTEGER NOT NULL DEFAULT 0,
    "cursor" TEXT,
    "bulkOperationId" TEXT,
    "lockedUntil" DATETIME,
    "lockedBy" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "startedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" DATETIME,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Backfill_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Backfill" ("bulkOperationId", "cursor", "error", "finishedAt", "id", "lockedBy", "lockedUntil", "read", "shopId", "since", "startedAt", "status", "stored", "total", "updatedAt") SELECT "bulkOperationId", "cursor", "error", "finishedAt", "id", "lockedBy", "lockedUntil", "read", "shopId", "since", "startedAt", "status", "stored", "total", "updatedAt" FROM "Backfill";
DROP TABLE "Backfill";
ALTER TABLE "new_Backfill" RENAME TO "Backfill";
CREATE UNIQUE INDEX "Backfill_shopId_key" ON "Backfill"("shopId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
