/**
 * Hot-list categories of General Order 41-11. Only the authorized ones may alert; the prohibited
 * ones alert a user only under an administrator's documented, expiring exception.
 * The `id` is the stable token used in NATS subjects, LMDB records and metrics labels.
 */
export const CATEGORIES = [
  { id: 'stolen_vehicle', label: 'Stolen Vehicle', authorized: true },
  { id: 'warrant', label: 'Warrants', authorized: true },
  { id: 'missing_person', label: 'Missing Person', authorized: true },
  { id: 'protective_order', label: 'Protective Order', authorized: true },
  { id: 'amber_alert', label: 'Amber Alert', authorized: true },
  { id: 'missing_child', label: 'Missing Child', authorized: true },
  { id: 'pd_hotlist', label: 'PD hot list', authorized: true },
  { id: 'sex_offender', label: 'Sex Offender', authorized: false },
  { id: 'stolen_plate', label: 'Stolen Plate', authorized: false },
  { id: 'gang_terrorist', label: 'Gang Member or Suspected Terrorist', authorized: false },
  { id: 'immigration_violator', label: 'Immigration Violator', authorized: false },
  { id: 'violent_person', label: 'Violent Person', authorized: false },
  { id: 'protective_interest', label: 'Protective Interest', authorized: false },
  { id: 'supervised_release', label: 'Supervised Release', authorized: false },
] as const;

export type Category = (typeof CATEGORIES)[number];
export type CategoryId = Category['id'];

export const CATEGORY_IDS: readonly CategoryId[] = CATEGORIES.map((c) => c.id);
export const AUTHORIZED_CATEGORIES: readonly CategoryId[] = CATEGORIES.filter((c) => c.authorized).map((c) => c.id);
export const PROHIBITED_CATEGORIES: readonly CategoryId[] = CATEGORIES.filter((c) => !c.authorized).map((c) => c.id);

export function isCategoryId(value: string): value is CategoryId {
  return (CATEGORY_IDS as readonly string[]).includes(value);
}

export function categoryLabel(id: CategoryId): string {
  return CATEGORIES.find((c) => c.id === id)!.label;
}
