/** What face.worker offers the page (over comlink). Coordinates are frame pixels. */
export type Point = [x: number, y: number];

/** Mean and spread of luma (0–255) over a region. */
export interface Light { mean: number; std: number }

export interface DetectedFace {
  /** [x1, y1, x2, y2] */
  box: [number, number, number, number];
  /** BlazeFace's six: right eye, left eye, nose, mouth, right ear, left ear (as seen in the image). */
  landmarks: Point[];
  score: number;
  light: Light;
}

/** The wide check analyses the frame at most this wide (the camera's own size when smaller). */
export const WIDE_WIDTH = 640;

/** A face the wide ("others in view") check found: box corners as shares of the frame (0–1) from the worker, in frame pixels from detectFaces(). */
export interface WideFace {
  box: [number, number, number, number];
  score: number;
}

export interface FrameResult {
  width: number;
  height: number;
  faces: DetectedFace[];
  /** The whole frame's light: a covered or dark camera reads low mean and little spread. */
  light: Light;
  /** 8×8 mean-luma thumbnail, row by row: consecutive identical ones mean a frozen camera. */
  thumb: number[];
  /** Frame handed over → result ready, in the worker (ms). */
  workerMs: number;
  /** The model run alone (resize, inference, decoding), ms. */
  modelMs: number;
  backend: string;
  /** When asked for: every face the wide check found (the candidate's own too), and its time in ms. */
  wide?: { faces: WideFace[]; ms: number };
}

/** One image described for face match: the faces found and the largest one's descriptor. */
export interface Description {
  /** Faces found (score ≥ 0.5 — a reference photo may be paler than a camera). */
  faces: number;
  /** The largest face's descriptor, or null without a face. */
  descriptor: number[] | null;
  /** The whole call in the worker, ms (the first includes loading the model). */
  ms: number;
}

export interface FaceWorkerApi {
  /** Loads the backend and model (once); resolves with the backend in use. */
  ready(): Promise<string>;
  /** Finds faces in one frame; the frame is transferred and closed here. */
  /**
   * Faces in the frame, analysed at `size` (the page sends a camera frame as a VideoFrame — a
   * reference, ≈ 0.1 ms — and the scaling happens here, off the page's main thread).
   */
  detect(frame: ImageBitmap | VideoFrame, size?: { width: number; height: number }, wide?: boolean): Promise<FrameResult>;
  /** Face-match descriptor of one image (a capture or a reference photo); the bitmap is closed here. */
  describe(image: ImageBitmap): Promise<Description>;
}
