-- AlterTable
ALTER TABLE "Shop" ADD COLUMN     "adminAuthLostAt" TIMESTAMP(3),
ADD COLUMN     "developmentStore" BOOLEAN,
ADD COLUMN     "factsSyncedAt" TIMESTAMP(3),
ADD COLUMN     "plan" TEXT;
