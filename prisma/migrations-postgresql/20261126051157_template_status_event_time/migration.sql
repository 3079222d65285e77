-- AlterTable
ALTER TABLE "Template" ADD COLUMN     "statusEventAt" TIMESTAMP(3);
