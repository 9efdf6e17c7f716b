// The one overrides table of the protocol generator (scripts/generate.ts): where Sluice's generated codec departs
// from a plain reading of Kafka's JSON schemas. Change a generated module by changing this table or the generator,
// never by editing src/generated/.
//
// - `records` fields (Produce/Fetch/ShareFetch/FetchSnapshot...) stay a byte slice of the received frame
//   (STYLE rule 4: bytes stay bytes); record batches are parsed, if at all, by src/records/.
// - `uuid` fields are Kafka's base64url text form (see src/primitives/uuid.ts).

export interface TypeOverride {
  /** TypeScript type of the field in the generated interface. */
  tsType: string;
  /** Wire encoding it shares with a primitive schema type. */
  encodeAs: 'bytes' | 'uuid';
  /** True when the generated type always admits null, whatever the schema's nullableVersions say. */
  alwaysNullable: boolean;
}

export const typeOverrides: Readonly<Record<string, TypeOverride>> = {
  records: { tsType: 'Buffer | null', encodeAs: 'bytes', alwaysNullable: true },
  uuid: { tsType: 'string', encodeAs: 'uuid', alwaysNullable: false },
};

/** Per-field renames: `Message.Field` (JSON names) -> TypeScript property name, when camelCase would clash or mislead. */
export const fieldNameOverrides: Readonly<Record<string, string>> = {};
