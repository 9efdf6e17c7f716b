// Segment file names in a partition directory (Kafka's layout) and the cleaner's temporary suffixes:
//
//   <20-digit zero-padded base offset>.log | .index | .timeindex | .txnindex
//   + ".cleaned"  written by a pass, not yet committed (recovery deletes them)
//   + ".swap"     committed replacement, not yet renamed into place (recovery finishes the swap)
//   + ".deleted"  replaced or deleted, kept until readers holding it are done (unlinked later or at start-up)

export const SEGMENT_EXTENSIONS = ['.log', '.index', '.timeindex', '.txnindex'] as const;
export type SegmentExtension = (typeof SEGMENT_EXTENSIONS)[number];
export const CLEANED_SUFFIX = '.cleaned';
export const SWAP_SUFFIX = '.swap';
export const DELETED_SUFFIX = '.deleted';

export function segmentFileName(baseOffset: number, ext: SegmentExtension, suffix = ''): string {
  return `${String(baseOffset).padStart(20, '0')}${ext}${suffix}`;
}

export interface ParsedSegmentFile {
  baseOffset: number;
  ext: SegmentExtension;
  /** '', '.cleaned', '.swap' or '.deleted'. */
  suffix: string;
}

const NAME = /^(\d{20})(\.log|\.index|\.timeindex|\.txnindex)(\.cleaned|\.swap|\.deleted)?$/;

/** null for files that are not segment files (checkpoints, partition.metadata, ...). */
export function parseSegmentFileName(name: string): ParsedSegmentFile | null {
  const m = NAME.exec(name);
  if (m === null) return null;
  return { baseOffset: Number(m[1]), ext: m[2] as SegmentExtension, suffix: m[3] ?? '' };
}
