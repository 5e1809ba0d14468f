package bonus

import (
	"archive/zip"
	"fmt"
	"io"
	"strconv"

	"github.com/klauspost/compress/flate"
	"github.com/xuri/excelize/v2"

	"patentwall/market"
)

// Yuan formats fen as yuan with two decimals ("-12.05", "3000.00"): market.Fen's String.
func Yuan(fen int64) string { return market.Fen(fen).String() }

// yuanCell is the numeric cell value of an amount, shown with two decimals by the amount style. A
// float is exact here: every fen amount below 2^53 divided by 100 formats back to the same digits as
// Yuan, and staff can sum the column.
func yuanCell(fen int64, style int) excelize.Cell {
	return excelize.Cell{StyleID: style, Value: float64(fen) / 100}
}

// Safe neutralises spreadsheet formula injection: a text cell starting with = + - @ (or a tab or
// carriage return, which some programs strip before parsing) is prefixed with a single quote.
func Safe(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// maxSheetRows is the row limit of one worksheet (Excel: 1,048,576 including the header).
const maxSheetRows = 1048576

// workbook wraps an excelize file written by stream writers, zipped with klauspost's deflate at its
// fastest level: a million-line sheet is about a gigabyte of XML, and the standard library's default
// level would spend most of the export's time compressing it (its fastest level, a third).
type workbook struct {
	f      *excelize.File
	amount int // style ID of amount cells
	header int // style ID of header cells
	sheets int
}

func newWorkbook() (*workbook, error) {
	f := excelize.NewFile()
	f.SetZipWriter(func(w io.Writer) excelize.ZipWriter {
		zw := zip.NewWriter(w)
		zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
			return flate.NewWriter(out, flate.BestSpeed)
		})
		return zw
	})
	amount, err := f.NewStyle(&excelize.Style{CustomNumFmt: ptr("0.00")})
	if err != nil {
		return nil, err
	}
	header, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return nil, err
	}
	return &workbook{f: f, amount: amount, header: header}, nil
}

func ptr[T any](v T) *T { return &v }

// sheet adds a worksheet (the first one replaces the default "Sheet1") and returns its stream writer.
func (wb *workbook) sheet(name string, widths ...float64) (*excelize.StreamWriter, error) {
	if wb.sheets == 0 {
		if err := wb.f.SetSheetName("Sheet1", name); err != nil {
			return nil, err
		}
	} else if _, err := wb.f.NewSheet(name); err != nil {
		return nil, err
	}
	wb.sheets++
	sw, err := wb.f.NewStreamWriter(name)
	if err != nil {
		return nil, err
	}
	for i, w := range widths {
		if err := sw.SetColWidth(i+1, i+1, w); err != nil {
			return nil, err
		}
	}
	return sw, nil
}

// headerRow writes bold header cells at row 1.
func (wb *workbook) headerRow(sw *excelize.StreamWriter, row int, names ...string) error {
	cells := make([]any, len(names))
	for i, n := range names {
		cells[i] = excelize.Cell{StyleID: wb.header, Value: n}
	}
	return sw.SetRow(cellName(row), cells)
}

func cellName(row int) string { return "A" + strconv.Itoa(row) }

// write finishes the workbook onto w.
func (wb *workbook) write(w io.Writer) error {
	defer wb.f.Close()
	if err := wb.f.Write(w); err != nil {
		return fmt.Errorf("bonus: write xlsx: %w", err)
	}
	return nil
}
