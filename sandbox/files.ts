import { randomBytes } from "node:crypto";
import { badRequest } from "./errors.ts";

export const MEDIA_KINDS = [
  "photo",
  "video",
  "voice",
  "video_note",
  "audio",
  "document",
  "sticker",
  "animation",
] as const;
export type MediaKind = (typeof MEDIA_KINDS)[number];

export const isMediaKind = (value: string): value is MediaKind =>
  (MEDIA_KINDS as readonly string[]).includes(value);

/** What a message's media field holds: PhotoSize[] for photos, one object for the rest. */
export type MediaValue = Record<string, unknown> | Record<string, unknown>[];

interface StoredFile {
  fileId: string;
  fileUniqueId: string;
  kind: MediaKind;
  size: number;
  path: string;
  data?: Buffer;
  /** What the uploader said the bytes are (an upload's content type, a person's file). */
  mimeType?: string;
  fileName?: string;
  /** The message field value every file_id of this media resolves to. */
  value: MediaValue;
}

/** Descriptive metadata a simulated user (or an upload) gives a file. */
export interface MediaSpec {
  file_id?: string;
  file_name?: string;
  mime_type?: string;
  width?: number;
  height?: number;
  duration?: number;
  length?: number;
  emoji?: string;
  title?: string;
  performer?: string;
  file_size?: number;
  /** Real bytes of a person's file (the control API takes them base64-encoded). */
  data_base64?: string;
}

/** What `GET /sandbox/files/:file_id` serves: real bytes when someone uploaded them, else nothing. */
export interface FileContent {
  fileId: string;
  size: number;
  data?: Buffer;
  mimeType?: string;
  fileName?: string;
}

const PREFIX: Record<MediaKind, string> = {
  photo: "AgAC",
  video: "BAAC",
  voice: "AwAC",
  video_note: "DQAC",
  audio: "CQAC",
  document: "BQAC",
  sticker: "CAAC",
  animation: "CgAC",
};

/** file_ids as Telegram gives them out: one file_id resolves to the same media wherever it is reused. */
export class FileStore {
  private readonly files = new Map<string, StoredFile>();
  private seq = 0;

  private newIds(kind: MediaKind): { fileId: string; fileUniqueId: string } {
    this.seq++;
    const rnd = randomBytes(18).toString("base64url");
    return {
      fileId: `${PREFIX[kind]}SBX${this.seq}_${rnd}`,
      fileUniqueId: `AQAD${this.seq}${rnd.slice(0, 6)}`,
    };
  }

  /** Creates a new media object (a user's photo, or a bot's upload) and returns the message field value. */
  create(kind: MediaKind, spec: MediaSpec = {}, data?: Buffer): MediaValue {
    if (kind === "photo" && data && (spec.width === undefined || spec.height === undefined)) {
      // A real picture keeps its real size, as Telegram reports it (thumbnails are not re-encoded here).
      const dims = imageSize(data);
      if (dims) spec = { ...spec, width: spec.width ?? dims.width, height: spec.height ?? dims.height };
    }
    const size = data?.length ?? spec.file_size ?? 1024 + Math.floor(Math.random() * 50_000);
    const register = (
      value: Record<string, unknown>,
      ids: { fileId: string; fileUniqueId: string },
      bytes: number,
    ) => {
      const file: StoredFile = {
        fileId: ids.fileId,
        fileUniqueId: ids.fileUniqueId,
        kind,
        size: bytes,
        path: `${kind}s/file_${this.seq}.${extension(kind, spec.file_name, data ? spec.mime_type : undefined)}`,
        value: [],
      };
      if (data) file.data = data;
      if (spec.mime_type) file.mimeType = spec.mime_type;
      if (spec.file_name) file.fileName = spec.file_name;
      this.files.set(ids.fileId, file);
      return { file, value };
    };
    if (kind === "photo") {
      const width = spec.width ?? 1280;
      const height = spec.height ?? 960;
      const smallIds = this.newIds(kind);
      const bigIds = this.newIds(kind);
      const scale = 90 / Math.max(width, height);
      const small = {
        file_id: smallIds.fileId,
        file_unique_id: smallIds.fileUniqueId,
        file_size: Math.max(1, Math.round(size / 20)),
        width: Math.max(1, Math.round(width * scale)),
        height: Math.max(1, Math.round(height * scale)),
      };
      const big = {
        file_id: bigIds.fileId,
        file_unique_id: bigIds.fileUniqueId,
        file_size: size,
        width,
        height,
      };
      const sizes = [small, big];
      register(small, smallIds, small.file_size).file.value = sizes;
      register(big, bigIds, size).file.value = sizes;
      return sizes;
    }
    const ids = this.newIds(kind);
    const value: Record<string, unknown> = { file_id: ids.fileId, file_unique_id: ids.fileUniqueId };
    describeMedia(kind, spec, value);
    value.file_size = size;
    register(value, ids, size).file.value = value;
    return value;
  }

  /** Resolves a file_id (or an HTTP URL, which Telegram would download) for sending as `kind`. */
  resolve(ref: string, kind: MediaKind): MediaValue {
    const file = this.files.get(ref);
    if (file) {
      const compatible =
        file.kind === kind ||
        (kind === "document" && file.kind !== "photo" && file.kind !== "sticker") ||
        (kind === "animation" && file.kind === "document");
      if (!compatible) throw badRequest(`can't use file of type ${typeName(file.kind)} as ${typeName(kind)}`);
      if (file.kind === kind) return file.value;
      const spec: MediaSpec = { file_size: file.size };
      if (file.mimeType) spec.mime_type = file.mimeType;
      if (file.fileName) spec.file_name = file.fileName;
      return this.create(kind, spec, file.data);
    }
    if (/^https?:\/\/\S+$/i.test(ref)) {
      const name = decodeURIComponent(new URL(ref).pathname.split("/").pop() ?? "") || undefined;
      return this.create(kind, name ? { file_name: name } : {});
    }
    throw badRequest("wrong file identifier/HTTP URL specified");
  }

  get(
    fileId: string,
  ): { fileId: string; fileUniqueId: string; size: number; path: string; data?: Buffer } | undefined {
    return this.files.get(fileId);
  }

  /** The bytes behind a file_id, if anyone uploaded real ones (simulated media have none). */
  content(fileId: string): FileContent | undefined {
    const f = this.files.get(fileId);
    if (!f) return undefined;
    const out: FileContent = { fileId: f.fileId, size: f.size };
    if (f.data) out.data = f.data;
    if (f.mimeType) out.mimeType = f.mimeType;
    if (f.fileName) out.fileName = f.fileName;
    return out;
  }

  hasContent(fileId: unknown): boolean {
    return typeof fileId === "string" && this.files.get(fileId)?.data !== undefined;
  }

  byPath(path: string): StoredFile | undefined {
    for (const f of this.files.values()) if (f.path === path) return f;
    return undefined;
  }

  clear(): void {
    this.files.clear();
  }
}

/** The kind-specific fields of a non-photo media object, with Telegram's defaults for simulated media. */
function describeMedia(kind: MediaKind, spec: MediaSpec, value: Record<string, unknown>): void {
  switch (kind) {
    case "video":
    case "animation":
      Object.assign(value, {
        width: spec.width ?? 640,
        height: spec.height ?? 360,
        duration: spec.duration ?? 5,
      });
      break;
    case "video_note":
      Object.assign(value, { length: spec.length ?? 240, duration: spec.duration ?? 5 });
      break;
    case "voice":
      Object.assign(value, { duration: spec.duration ?? 3, mime_type: spec.mime_type ?? "audio/ogg" });
      break;
    case "audio":
      Object.assign(value, { duration: spec.duration ?? 180 });
      if (spec.title) value.title = spec.title;
      if (spec.performer) value.performer = spec.performer;
      break;
    case "sticker":
      Object.assign(value, {
        type: "regular",
        width: 512,
        height: 512,
        is_animated: false,
        is_video: false,
        emoji: spec.emoji ?? "🙂",
      });
      break;
  }
  if (spec.file_name && kind !== "sticker" && kind !== "voice" && kind !== "video_note") {
    value.file_name = spec.file_name;
  }
  if (spec.mime_type && kind !== "voice" && kind !== "sticker") value.mime_type = spec.mime_type;
}

function typeName(kind: MediaKind): string {
  return kind
    .split("_")
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join("");
}

const MIME_EXTENSIONS: Record<string, string> = {
  "image/png": "png",
  "image/jpeg": "jpg",
  "image/gif": "gif",
  "image/webp": "webp",
  "audio/ogg": "oga",
  "audio/mpeg": "mp3",
  "audio/webm": "weba",
  "audio/wav": "wav",
  "application/pdf": "pdf",
  "application/json": "json",
  "text/plain": "txt",
};

function extension(kind: MediaKind, fileName?: string, mimeType?: string): string {
  const fromName = fileName ? /\.([A-Za-z0-9]{1,8})$/.exec(fileName)?.[1] : undefined;
  if (fromName) return fromName;
  const fromMime = mimeType ? MIME_EXTENSIONS[mimeType.toLowerCase()] : undefined;
  if (fromMime) return fromMime;
  const byKind: Record<MediaKind, string> = {
    photo: "jpg",
    video: "mp4",
    voice: "oga",
    video_note: "mp4",
    audio: "mp3",
    document: "dat",
    sticker: "webp",
    animation: "mp4",
  };
  return byKind[kind];
}

export function mediaSummary(kind: MediaKind, value: MediaValue): Record<string, unknown> {
  const main = Array.isArray(value) ? value.at(-1) : value;
  const out: Record<string, unknown> = { type: kind, file_id: main?.file_id };
  for (const key of [
    "file_name",
    "mime_type",
    "file_size",
    "duration",
    "width",
    "height",
    "emoji",
    "title",
  ]) {
    if (main && main[key] !== undefined) out[key] = main[key];
  }
  return out;
}

/** Width and height of a PNG, GIF or baseline/progressive JPEG, read from its header; undefined otherwise. */
export function imageSize(data: Buffer): { width: number; height: number } | undefined {
  if (data.length >= 24 && data.readUInt32BE(0) === 0x89504e47 && data.toString("ascii", 12, 16) === "IHDR") {
    return { width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
  }
  if (data.length >= 10 && data.toString("ascii", 0, 3) === "GIF") {
    return { width: data.readUInt16LE(6), height: data.readUInt16LE(8) };
  }
  if (data.length >= 4 && data[0] === 0xff && data[1] === 0xd8) {
    let i = 2;
    while (i + 9 < data.length) {
      if (data[i] !== 0xff) return undefined;
      const marker = data[i + 1]!;
      const length = data.readUInt16BE(i + 2);
      // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size.
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        return { width: data.readUInt16BE(i + 7), height: data.readUInt16BE(i + 5) };
      }
      i += 2 + length;
    }
  }
  return undefined;
}
