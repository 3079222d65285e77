// Amounts stored in millionths of a currency, shown in the merchant's locale.
// Per-message rates go down to a tenth of a cent, hence up to 4 decimals.
export function formatMicros(micros: number, currency: string, locale: string): string {
  return new Intl.NumberFormat(locale, { style: "currency", currency, minimumFractionDigits: 2, maximumFractionDigits: 4 }).format(micros / 1_000_000);
}
