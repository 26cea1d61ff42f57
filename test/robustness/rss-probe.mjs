// Preloaded into CLI children by the robustness runner: writes the process's peak RSS (kB) to $EP_RSS_FILE on exit.
import { writeFileSync } from 'node:fs';

process.on('exit', () => {
  if (process.env.EP_RSS_FILE) writeFileSync(process.env.EP_RSS_FILE, String(process.resourceUsage().maxRSS));
});
