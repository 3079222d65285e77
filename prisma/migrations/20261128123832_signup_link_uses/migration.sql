-- CreateTable
CREATE TABLE "SignupLinkUse" (
    "linkId" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "usedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "SignupLinkUse_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "SignupLinkUse_shopId_idx" ON "SignupLinkUse"("shopId");

-- CreateIndex
CREATE INDEX "SignupLinkUse_usedAt_idx" ON "SignupLinkUse"("usedAt");
