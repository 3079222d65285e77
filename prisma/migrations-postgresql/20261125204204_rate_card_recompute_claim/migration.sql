-- AlterTable
ALTER TABLE "RateCard" ADD COLUMN     "recomputeLockedUntil" TIMESTAMP(3);
