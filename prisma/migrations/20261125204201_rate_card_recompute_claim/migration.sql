-- AlterTable
ALTER TABLE "RateCard" ADD COLUMN "recomputeLockedUntil" DATETIME;
