// window.__TAURI__, injected by Tauri at run time ("withGlobalTauri" in tauri.conf.json): the
// part of @tauri-apps/api v2 that ui/js/api.js uses. Absent when the page is opened in a browser.
interface Window {
  __TAURI__?: {
    core: {
      invoke<T>(cmd: string, args?: Record<string, unknown>): Promise<T>;
    };
    event: {
      listen<T>(event: string, handler: (event: { event: string; id: number; payload: T }) => void): Promise<() => void>;
    };
  };
}
