-- AlterTable
ALTER TABLE "Conversation" ADD COLUMN "lastAnswerAt" DATETIME;

-- Staff had the last word: that was the last answer. (Where the customer had
-- it, the answer before is not known: their next messages count from none.)
UPDATE "Conversation" SET "lastAnswerAt" = "lastTurnAt" WHERE "lastDirection" = 'OUT';
