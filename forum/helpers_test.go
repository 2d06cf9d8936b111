package forum_test

import "database/sql"

type sqlTx = sql.Tx
