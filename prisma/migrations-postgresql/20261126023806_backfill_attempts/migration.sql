-- AlterTable
ALTER TABLE "Backfill" ADD COLUMN     "attempts" INTEGER NOT NULL DEFAULT 0;
