import { startExampleServer } from "./serve.js";

// 127.0.0.1:5173 is a development CORS origin of the CO (the twin of localhost:5173).
const page = await startExampleServer({ port: Number(process.env.PORT ?? 5173) });
console.log(`SDK example on ${page.url}`);
console.log(`Open ${page.url}/?token=<jwt>&api=http://127.0.0.1:8000 with a token from: npm run -s token -- --sub <user-id>`);
