-- AlterTable
ALTER TABLE "Message" ADD COLUMN     "content" JSONB,
ADD COLUMN     "deletedAt" TIMESTAMP(3),
ADD COLUMN     "editedAt" TIMESTAMP(3),
ADD COLUMN     "reaction" TEXT,
ADD COLUMN     "reactionAt" TIMESTAMP(3);
