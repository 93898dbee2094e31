//! What the example apps share beyond the code they exist to show: the quickstart's
//! configuration, session store and request guards.

pub mod quickstart;
