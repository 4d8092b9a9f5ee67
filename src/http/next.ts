// Koa types `next` as returning Promise<any>, so a middleware that returns it returns `any` unseen. Every
// middleware of ours declares this one instead: what comes after it answers nothing it reads.
export type Next = () => Promise<void>;
