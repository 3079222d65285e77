-- CreateTable
CREATE TABLE "Backfill" (
    "id" TEXT NOT NULL,
    "shopId" TEXT NOT NULL,
    "since" TIMESTAMP(3) NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'PENDING',
    "total" INTEGER,
    "read" INTEGER NOT NULL DEFAULT 0,
    "stored" INTEGER NOT NULL DEFAULT 0,
    "cursor" TEXT,
    "lockedUntil" TIMESTAMP(3),
    "lockedBy" TEXT,
    "error" TEXT,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Backfill_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Backfill_shopId_key" ON "Backfill"("shopId");

-- AddForeignKey
ALTER TABLE "Backfill" ADD CONSTRAINT "Backfill_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;
