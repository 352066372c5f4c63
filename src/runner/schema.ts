import { z } from "zod";

/**
 * The `runner:` section of runner-kit.yaml (global and per team). The project schema
 * embeds this; the runner room owns its shape.
 * PLACEHOLDER until the runner-configuration issue lands: accepts nothing but a mapping.
 */
export const runnerSectionSchema = z.record(z.string(), z.unknown());
export type RunnerSection = z.infer<typeof runnerSectionSchema>;
