-- CreateTable
CREATE TABLE "SignupLinkUse" (
    "linkId" TEXT NOT NULL,
    "shopId" TEXT NOT NULL,
    "usedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SignupLinkUse_pkey" PRIMARY KEY ("linkId")
);

-- CreateIndex
CREATE INDEX "SignupLinkUse_shopId_idx" ON "SignupLinkUse"("shopId");

-- CreateIndex
CREATE INDEX "SignupLinkUse_usedAt_idx" ON "SignupLinkUse"("usedAt");

-- AddForeignKey
ALTER TABLE "SignupLinkUse" ADD CONSTRAINT "SignupLinkUse_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;
