-- AlterTable
ALTER TABLE "Message" ADD COLUMN "content" JSONB;
ALTER TABLE "Message" ADD COLUMN "deletedAt" DATETIME;
ALTER TABLE "Message" ADD COLUMN "editedAt" DATETIME;
ALTER TABLE "Message" ADD COLUMN "reaction" TEXT;
ALTER TABLE "Message" ADD COLUMN "reactionAt" DATETIME;
