package account_test

import (
	"database/sql"

	"github.com/PuerkitoBio/goquery"
)

type (
	sqlTx            = sql.Tx
	goquerySelection = goquery.Selection
)
