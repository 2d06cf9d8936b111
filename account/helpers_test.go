package account_test

import (
	"github.com/PuerkitoBio/goquery"
)

type (
	goquerySelection = goquery.Selection
)
