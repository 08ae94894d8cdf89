// Vite handles CSS imports (emitted as a stylesheet file, never inlined).
declare module '*.css';
