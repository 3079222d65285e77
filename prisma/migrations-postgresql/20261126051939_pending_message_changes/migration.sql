-- AlterTable
ALTER TABLE "Message" ADD COLUMN     "changeKind" TEXT;

-- CreateIndex
CREATE INDEX "Message_shopId_replyToWamid_idx" ON "Message"("shopId", "replyToWamid");
