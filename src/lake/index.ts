export type { LakeObjectStore, LakeOptions } from "./lake-runtime.js";
export { createLakeService, type LakeHandlers, type LakeService } from "./lake-service.js";
