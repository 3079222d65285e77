-- AlterTable
ALTER TABLE "Template" ADD COLUMN "statusEventAt" DATETIME;
