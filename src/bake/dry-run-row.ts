/** What `build` would do for one variant, and why. */
export interface DryRunRow {
  id: string;
  repository: string;
  tags: string[];
  contentHash: string;
  action: "build" | "up-to-date";
  /** With --push: whether the registry's tags would move. */
  push?: boolean;
  reason: string;
}
