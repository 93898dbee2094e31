//! What the example apps share beyond the code they exist to show: the quickstart's
//! configuration, session store and request guards, and the key loading they all use.

pub mod keys;
pub mod quickstart;
