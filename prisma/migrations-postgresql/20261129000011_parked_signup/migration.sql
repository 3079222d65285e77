-- CreateTable
CREATE TABLE "ParkedSignup" (
    "shopId" TEXT NOT NULL,
    "linkIssuedAt" TIMESTAMP(3) NOT NULL,
    "wabaId" TEXT NOT NULL,
    "phoneNumberId" TEXT NOT NULL,
    "displayPhoneNumber" TEXT NOT NULL,
    "verifiedName" TEXT,
    "accessTokenCiphertext" TEXT NOT NULL,
    "tokenExpiresAt" TIMESTAMP(3),
    "parkedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ParkedSignup_pkey" PRIMARY KEY ("shopId")
);

-- AddForeignKey
ALTER TABLE "ParkedSignup" ADD CONSTRAINT "ParkedSignup_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;
