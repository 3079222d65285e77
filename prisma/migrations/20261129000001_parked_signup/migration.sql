-- CreateTable
CREATE TABLE "ParkedSignup" (
    "shopId" TEXT NOT NULL PRIMARY KEY,
    "linkIssuedAt" DATETIME NOT NULL,
    "wabaId" TEXT NOT NULL,
    "phoneNumberId" TEXT NOT NULL,
    "displayPhoneNumber" TEXT NOT NULL,
    "verifiedName" TEXT,
    "accessTokenCiphertext" TEXT NOT NULL,
    "tokenExpiresAt" DATETIME,
    "parkedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ParkedSignup_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
